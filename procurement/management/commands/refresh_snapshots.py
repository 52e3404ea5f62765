"""``python manage.py refresh_snapshots``: store every assessment's snapshot again.

Run after an upgrade that stores more in the snapshot (the results under
every profile, for instance): lists and rankings then read everything from
it instead of asking the engine. Safe to run at any time; it changes no
answer and no version, and skips nothing.
"""

from django.core.management.base import BaseCommand

from procurement.models import Assessment
from procurement.services import refresh_snapshot


class Command(BaseCommand):
    help = "Recompute and store the scorecard snapshot of every assessment."

    def handle(self, *args, **options):
        count = 0
        for assessment in Assessment.objects.order_by("pk").iterator(chunk_size=200):
            refresh_snapshot(assessment)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} snapshots stored."))
