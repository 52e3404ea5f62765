"""``python manage.py export_organisation NAME [--output FILE]``."""

from django.core.management.base import BaseCommand, CommandError

from procurement.models import Organisation
from procurement.portability import write_organisation


class Command(BaseCommand):
    help = (
        "Write everything an organisation entered as compact JSON (to stdout or "
        "a file), streamed: memory stays flat whatever the organisation's size."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, name, output=None, **options):
        try:
            organisation = Organisation.objects.get(name=name)
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No organisation named {name!r}.") from exc
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                write_organisation(organisation, handle)
                handle.write("\n")
            self.stderr.write(f"Wrote {organisation} to {output}.")
        else:
            # Chunks go out as they are written, with no line break added.
            self.stdout.ending = ""
            write_organisation(organisation, self.stdout)
            self.stdout.write("\n")
