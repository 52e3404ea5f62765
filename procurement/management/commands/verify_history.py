"""``python manage.py verify_history [--export FILE]``: check the record.

Walks each organisation's hash chain from its first entry: every entry must
be at its position, link to the previous entry's hash and hash to what it
says. Exits 1 naming the first broken entry of each broken chain (a row
altered, removed, or the last ones cut off), 0 when every chain holds. With
``--export``, checks the chain inside an organisation export file instead.
"""

import ijson
from django.core.management.base import BaseCommand, CommandError

from procurement.models import HistoryEntry
from procurement.record import verify_chains, verify_entries


class Command(BaseCommand):
    help = (
        "Check the hash chain of every organisation's history; exit 1 naming the "
        "first altered or missing entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export",
            metavar="FILE",
            help="check the history inside an organisation export file",
        )

    def handle(self, *args, export=None, **options):
        if export:
            return self._verify_file(export)
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

    def _verify_file(self, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                entries = list(ijson.items(handle, "history.item", use_float=True))
        except (OSError, ijson.JSONError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        problem = verify_entries(path, entries, head=None)
        if problem is not None:
            self.stderr.write(f"Broken: {problem}")
            raise CommandError("The history in this file was altered.")
        self.stdout.write(
            self.style.SUCCESS(
                f"History in {path} intact: {len(entries)} entries, the chain holds."
            )
        )
