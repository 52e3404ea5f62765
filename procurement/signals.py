"""What procurement announces to whoever listens: a state it owns changed.

Procurement knows no listener. The ``webhooks`` app connects to
``state_changed`` and turns each announcement into signed deliveries; with
that app removed, announcing costs nothing. A service announces inside its
transaction, after its writes, with the object as it now stands; listeners
that reach outside (HTTP) wait for the commit themselves.

The events, by name: ``assessment.submitted``, ``assessment.approved``,
``assessment.reopened``, ``assessment.withdrawn``, ``procurement.opened``,
``procurement.closed``, ``export.ready`` (a background export's file is made).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``event`` (one of the names above) and ``instance`` (an
# Assessment, a Procurement or an ExportJob); ``sender`` is its class.
state_changed = Signal()


def announce(event: str, instance) -> None:
    """Tell the listeners that ``instance`` went through ``event``.

    A listener's failure is logged, never raised: the change it announces
    stands whatever a listener does with it.
    """
    results = state_changed.send_robust(
        sender=type(instance), event=event, instance=instance
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "Listener %r failed on %s: %r",
                receiver,
                event,
                result,
                exc_info=(type(result), result, result.__traceback__),
            )
