"""Load a catalogue file: ``python manage.py load_catalogue PATH``."""

from django.core.management.base import BaseCommand, CommandError

from scoring.loader import DEFAULT_CATALOGUE, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Validate a catalogue YAML file and store it. Loading the same published "
        "version again does nothing; changing a published version is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_CATALOGUE),
            help="catalogue file (default: the bundled Cloud of Trust catalogue)",
        )

    def handle(self, *args, path, **options):
        try:
            result = load_catalogue(path)
        except CatalogueError as exc:
            problems = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{path} was not loaded:\n{problems}") from exc
        self.stdout.write(self.style.SUCCESS(result.describe()))
