"""``python manage.py cleanup_exports [--all]``."""

from django.core.management.base import BaseCommand

from procurement import jobs


class Command(BaseCommand):
    help = (
        "Delete the export files kept past EXPORTS_KEEP_HOURS (and their jobs), "
        "and queue again the export jobs whose worker died. Run it from cron "
        "(e.g. every 10 minutes) when several workers share the queue; the "
        "database queue also deletes each file when it expires."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="delete every finished export, expired or not (e.g. after an "
            "upgrade that changes the reports)",
        )

    def handle(self, *args, everything=False, **options):
        result = jobs.cleanup(everything=everything)
        self.stdout.write(
            f"Deleted {result.deleted} finished export(s); "
            f"queued {result.requeued} interrupted one(s) again."
        )
