"""``python manage.py import_organisation FILE [--name NEW_NAME]``."""

from django.core.management.base import BaseCommand, CommandError

from config.sqlite import refresh_statistics
from procurement.portability import ImportRefused, import_organisation_file


class Command(BaseCommand):
    help = (
        "Rebuild an organisation exported with export_organisation (another "
        "instance's file), re-scoring every assessment. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON file written by export_organisation")
        parser.add_argument("--name", help="import under another organisation name")
        parser.add_argument(
            "--link-members",
            action="store_true",
            help="give the accounts here whose username matches a member of the "
            "file that member's role (check first that they are the same people)",
        )

    def handle(self, *args, file, name=None, link_members=False, **options):
        try:
            # Read as a stream, an item at a time (see import_organisation_file).
            with open(file, "rb") as handle:
                result = import_organisation_file(
                    handle, name=name, link_members=link_members
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        refresh_statistics()  # the organisation may have grown tenfold
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.organisation} with {result.assessments} assessments."
            )
        )
        if result.unlinked_members:
            self.stdout.write(
                "Members not linked to an account here (add their membership in "
                "the admin, or import with --link-members): "
                f"{', '.join(result.unlinked_members)}."
            )
