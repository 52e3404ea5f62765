"""``python manage.py export_organisation NAME [--output FILE]``.

To a ``.zip`` file: the JSON document and every evidence file (what
``import_organisation`` takes back whole). To any other file or to standard
output: the JSON document alone.
"""

from django.core.management.base import BaseCommand, CommandError

from procurement.models import Organisation
from procurement.portability import write_archive, write_organisation


class Command(BaseCommand):
    help = (
        "Write everything an organisation entered, streamed: memory stays flat "
        "whatever its size. --output FILE.zip: the JSON and the evidence files; "
        "otherwise the JSON alone (to stdout or the file)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, name, output=None, **options):
        try:
            organisation = Organisation.objects.get(name=name)
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No organisation named {name!r}.") from exc
        if output and output.endswith(".zip"):
            with open(output, "wb") as handle:
                write_archive(organisation, handle)
            self.stderr.write(f"Wrote {organisation} and its files to {output}.")
        elif output:
            with open(output, "w", encoding="utf-8") as handle:
                write_organisation(organisation, handle)
                handle.write("\n")
            self.stderr.write(f"Wrote {organisation} to {output}.")
        else:
            # Chunks go out as they are written, with no line break added.
            self.stdout.ending = ""
            write_organisation(organisation, self.stdout)
            self.stdout.write("\n")
