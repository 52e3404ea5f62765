"""``python manage.py import_organisation FILE [--name NEW_NAME]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from procurement.portability import ImportRefused, import_organisation_data


class Command(BaseCommand):
    help = (
        "Rebuild an organisation exported with export_organisation (another "
        "instance's file), re-scoring every assessment. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON file written by export_organisation")
        parser.add_argument("--name", help="import under another organisation name")

    def handle(self, *args, file, name=None, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = import_organisation_data(data, name=name)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.organisation} with {result.assessments} assessments."
            )
        )
        if result.unknown_users:
            self.stdout.write(
                "Members without an account here (create them, then add their "
                f"membership): {', '.join(result.unknown_users)}."
            )
