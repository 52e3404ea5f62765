"""Queue every webhook delivery whose attempt is due: for a queue that cannot
defer a task (run it every minute from cron), and to pick up the deliveries
of a worker that died. It also deletes finished deliveries older than
WEBHOOKS_KEEP_DAYS."""

from django.core.management.base import BaseCommand

from webhooks import services


class Command(BaseCommand):
    help = "Queue the webhook deliveries whose next attempt is due."

    def handle(self, *args, **options):
        count = services.send_due()
        pruned = services.prune_deliveries()
        self.stdout.write(
            f"{count} webhook deliveries queued, {pruned} old ones deleted."
        )
