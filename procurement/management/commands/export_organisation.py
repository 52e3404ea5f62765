"""``python manage.py export_organisation NAME [--output FILE]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from procurement.models import Organisation
from procurement.portability import export_organisation_data


class Command(BaseCommand):
    help = "Write everything an organisation entered as JSON (to stdout or a file)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, name, output=None, **options):
        try:
            organisation = Organisation.objects.get(name=name)
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No organisation named {name!r}.") from exc
        text = json.dumps(
            export_organisation_data(organisation), ensure_ascii=False, indent=2
        )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"Wrote {organisation} to {output}.")
        else:
            self.stdout.write(text)
