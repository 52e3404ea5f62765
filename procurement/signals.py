"""What procurement announces to whoever listens: a state it owns changed.

Procurement knows no listener. The ``webhooks`` app connects to
``state_changed`` and turns each announcement into signed deliveries; with
that app removed, announcing costs nothing. A service announces inside its
transaction, after its writes, with the object as it now stands; listeners
that reach outside (HTTP) wait for the commit themselves.

It also asks, while an organisation's data export is written, what other
apps keep about the organisation (``exporting``), so that the export holds
it without procurement knowing those apps.

The events, by name: ``assessment.submitted``, ``assessment.approved``,
``assessment.reopened``, ``assessment.withdrawn``, ``procurement.opened``,
``procurement.closed``, ``export.ready`` (a background export's file is made).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``event`` (one of the names above) and ``instance`` (an
# Assessment, a Procurement or an ExportJob); ``sender`` is its class.
state_changed = Signal()


# Sent with ``organisation`` while its data export is written; a receiver
# returns ``(name, items)``: JSON objects the document lists under that name.
exporting = Signal()


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


def exported_sections(organisation) -> list[tuple[str, Iterable[dict[str, Any]]]]:
    """The lists other apps add to an organisation's data export."""
    return [
        section
        for _receiver, section in exporting.send(
            sender=type(organisation), organisation=organisation
        )
    ]
