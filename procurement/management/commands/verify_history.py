"""``python manage.py verify_history``: check every organisation's record.

Walks each organisation's hash chain from its first entry: every entry must
be at its position, link to the previous entry's hash and hash to what it
says. Exits 1 naming the first broken entry of each broken chain (a row
altered, removed, or the last ones cut off), 0 when every chain holds.
"""

from django.core.management.base import BaseCommand, CommandError

from procurement.models import HistoryEntry
from procurement.record import verify_chains


class Command(BaseCommand):
    help = (
        "Check the hash chain of every organisation's history; exit 1 naming the "
        "first altered or missing entry."
    )

    def handle(self, *args, **options):
        breaks = verify_chains()
        if breaks:
            for problem in breaks:
                self.stderr.write(f"Broken: {problem}")
            raise CommandError(
                f"{len(breaks)} chain(s) broken: the history was altered in the "
                "database."
            )
        count = HistoryEntry.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"History intact: {count} entries, every chain holds.")
        )
