"""``python manage.py seed [--demo]``: the catalogue, the reference cases, a demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from procurement.seed import (
    DEMO_EVALUATOR_PASSWORD,
    DEMO_EVALUATOR_USERNAME,
    DEMO_ORGANISATION,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    SeedError,
    seed_demo,
    seed_reference_cases,
)
from scoring.loader import CatalogueError


class Command(BaseCommand):
    help = (
        "Load the Cloud of Trust catalogue and the Cloudwatt and Numergy reference "
        "cases. With --demo (DEBUG only), also a demo organisation, user and "
        "procurement. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help=f"also create {DEMO_ORGANISATION!r}, its lead {DEMO_USERNAME!r} and "
            f"its evaluator {DEMO_EVALUATOR_USERNAME!r} (refused unless DEBUG is on)",
        )

    def handle(self, *args, demo=False, **options):
        if demo and not settings.DEBUG:
            raise CommandError(
                "--demo creates a user with a published password; it runs only with "
                "DEBUG on (DJANGO_DEBUG=true). Nothing was changed."
            )
        try:
            result = seed_reference_cases()
            procurement = seed_demo() if demo else None
        except (CatalogueError, SeedError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Catalogue: {result.catalogue} ({result.catalogue.status}).")
        for assessment in result.reference_cases:
            self.stdout.write(
                f"Reference case: {assessment.offer.provider.name}, "
                f"{assessment.profile.code} as of {assessment.as_of}: "
                f"{assessment.global_score}/100, trust level {assessment.trust_level}."
            )
        if procurement is not None:
            self.stdout.write(
                f"Demo: {procurement.organisation}, procurement {procurement}; "
                f"log in as {DEMO_USERNAME} / {DEMO_PASSWORD} (lead) or "
                f"{DEMO_EVALUATOR_USERNAME} / {DEMO_EVALUATOR_PASSWORD} (evaluator)."
            )
        self.stdout.write(self.style.SUCCESS("Seed complete."))
