"""The tasks a worker runs for webhooks: one attempt of one delivery.

Like the export jobs (``procurement/jobs/tasks.py``), the queue carries only
the delivery's id; everything else is on its row, so a task delivered twice
sends once (``services.attempt_delivery`` claims the row first).
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_delivery(delivery_id: str) -> None:
    """Make the delivery's next attempt, if it is due."""
    services.attempt_delivery(delivery_id)


@task()
def resend_delivery(delivery_id: str) -> None:
    """Make the first attempt of a delivery a lead resent."""
    services.attempt_delivery(delivery_id, manual=True)
