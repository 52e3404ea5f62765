"""Webhooks' workflows: endpoints a lead manages, events sent, attempts made.

- Endpoints: ``create_endpoint`` (its secret is returned once),
  ``update_endpoint``, ``rotate_secret``, ``delete_endpoint``: leads of the
  organisation only.
- Events: ``emit`` builds an event's payload now and, once the caller's
  transaction commits, makes one ``Delivery`` per endpoint that listens and
  queues its first attempt. Nothing is sent for a change rolled back.
- Attempts: ``attempt_delivery`` (run by the queue's task) sends one signed
  request, logs it, and on failure schedules the next attempt after
  ``WEBHOOKS_RETRY_DELAYS``: through the queue when it can defer a task,
  otherwise ``send_due`` (``manage.py send_webhooks``, from cron) picks it
  up. ``resend_delivery`` starts a delivery's attempts again (leads).
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import Organisation
from procurement.services import roles
from procurement.services.roles import Action

from . import addresses, signing
from .models import Attempt, Delivery, Endpoint, Event

logger = logging.getLogger(__name__)

EXCERPT_CHARS = 1000
ROTATION_GRACE = datetime.timedelta(hours=24)
# A worker that took a delivery and was not heard of for this long died.
LOST_AFTER = datetime.timedelta(minutes=5)


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    unknown = sorted(chosen - set(Event.values))
    if unknown:
        raise ValidationError(
            {"events": _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [event for event in Event.values if event in chosen]


def _check_url(url: str) -> str:
    try:
        addresses.check_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    return url.strip()


def create_endpoint(
    organisation: Organisation,
    *,
    user,
    url: str,
    events: Iterable[str],
    description: str = "",
    is_active: bool = True,
) -> tuple[Endpoint, str]:
    """Register an endpoint (leads); returns it and its secret, shown once."""
    roles.require(user, Action.LEAD, organisation)
    endpoint = Endpoint(
        organisation=organisation,
        url=_check_url(url),
        events=_clean_events(events),
        description=description.strip(),
        is_active=is_active,
        secret=signing.new_secret(),
        created_by=user,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint, endpoint.secret


def update_endpoint(endpoint: Endpoint, *, user, **fields: Any) -> Endpoint:
    """Change an endpoint's URL, events, description or active flag (leads)."""
    roles.require(user, Action.LEAD, endpoint.organisation_id)
    if "url" in fields:
        endpoint.url = _check_url(fields["url"])
    if "events" in fields:
        endpoint.events = _clean_events(fields["events"])
    if "description" in fields:
        endpoint.description = fields["description"].strip()
    if "is_active" in fields:
        endpoint.is_active = fields["is_active"]
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def rotate_secret(endpoint: Endpoint, *, user, now=None) -> str:
    """Give the endpoint a new secret (leads); returns it, shown once.

    The old one keeps signing beside it for ``ROTATION_GRACE``, so that the
    receiver can be given the new one without refusing a delivery.
    """
    roles.require(user, Action.LEAD, endpoint.organisation_id)
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_GRACE
    endpoint.secret = signing.new_secret()
    endpoint.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_expires_at",
            "updated_at",
        ]
    )
    return endpoint.secret


def delete_endpoint(endpoint: Endpoint, *, user) -> None:
    """Delete an endpoint and its deliveries' log (leads)."""
    roles.require(user, Action.LEAD, endpoint.organisation_id)
    endpoint.delete()


def emit(
    event: str, *, organisation_id: int, data: Mapping[str, Any], now=None
) -> uuid.UUID:
    """Send an event to the organisation's endpoints that want it, once the
    current transaction commits (at once outside one). Returns its id."""
    event_id = uuid.uuid4()
    occurred_at = now or timezone.now()
    payload = {
        "id": str(event_id),
        "type": event,
        "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
        "organisation": organisation_id,
        "data": dict(data),
    }
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
    transaction.on_commit(
        lambda: _fan_out(event, event_id, organisation_id, body), robust=True
    )
    return event_id


def _fan_out(event: str, event_id: uuid.UUID, organisation_id: int, body: str):
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("pk")
        if endpoint.listens_to(event)
    ]
    if not endpoints:
        return
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_id=event_id,
            event=event,
            body=body,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        _enqueue(delivery)


def _enqueue(delivery: Delivery, run_after: datetime.datetime | None = None) -> None:
    # Imported here: the task module imports this one.
    from .tasks import send_delivery

    task = send_delivery
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # send_due picks it up when it is due
        task = task.using(run_after=run_after)
    task.enqueue(str(delivery.pk))


def retry_delays() -> list[int]:
    """Seconds to wait before each retry (the first attempt is at once)."""
    return list(settings.WEBHOOKS_RETRY_DELAYS)


def attempt_delivery(delivery_id, *, now=None, manual: bool = False) -> Attempt | None:
    """Send a due delivery once, log the attempt, schedule the next one.

    A delivery not due (sent already, resent, taken by another worker) is
    left alone and None returned, so a task run twice sends once.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.due(now).filter(pk=delivery_id)
    if not claimed.update(next_attempt_at=None, claimed_at=now):
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    attempt = _send(delivery, now, manual)
    with transaction.atomic():
        if attempt.status_code == HTTPStatus.GONE:
            _disable_gone(delivery.endpoint, attempt)
        attempt.save()
        delivery.tries += 1
        delivery.last_status_code = attempt.status_code
        delivery.claimed_at = None
        if attempt.succeeded:
            delivery.status = Delivery.Status.SUCCEEDED
        elif delivery.tries > len(retry_delays()) or not delivery.endpoint.is_active:
            delivery.status = Delivery.Status.FAILED
        else:
            delay = retry_delays()[delivery.tries - 1]
            delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
            transaction.on_commit(
                lambda: _enqueue(delivery, run_after=delivery.next_attempt_at)
            )
        delivery.save(
            update_fields=[
                "tries",
                "last_status_code",
                "claimed_at",
                "status",
                "next_attempt_at",
                "updated_at",
            ]
        )
    return attempt


def _disable_gone(endpoint: Endpoint, attempt: Attempt) -> None:
    """A 410 says the receiver is gone for good: stop sending, as the spec asks."""
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    endpoint.is_active = False
    attempt.error = _(
        "The endpoint answered 410 Gone: it was disabled. Enable it again once "
        "the receiver is back."
    )
    logger.warning("Webhook endpoint %s answered 410 Gone: disabled", endpoint.pk)


def prune_deliveries(now=None) -> int:
    """Delete finished deliveries older than WEBHOOKS_KEEP_DAYS; returns how many.

    The log is for checking and resending recent events, not an archive: the
    record keeps what happened to the assessments themselves.
    """
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.WEBHOOKS_KEEP_DAYS)
    old = Delivery.objects.filter(
        created_at__lt=before,
        status__in=[Delivery.Status.SUCCEEDED, Delivery.Status.FAILED],
    )
    return old.delete()[1].get(Delivery._meta.label, 0)


def _send(delivery: Delivery, now: datetime.datetime, manual: bool) -> Attempt:
    """One signed POST of the delivery's body to its endpoint."""
    endpoint = delivery.endpoint
    attempt = Attempt(delivery=delivery, at=now, manual=manual)
    if not endpoint.is_active:
        attempt.error = _("The endpoint is disabled; nothing was sent.")
        return attempt
    body = delivery.body.encode()
    started = time.monotonic()
    try:
        target = addresses.target(endpoint.url)
        connection = addresses.connect(target, settings.WEBHOOKS_TIMEOUT_SECONDS)
        try:
            connection.request(
                "POST",
                target.path,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "CloudOfTrustScorecard-Webhooks/1",
                    **signing.headers(
                        endpoint.secrets(now),
                        delivery.message_id,
                        int(now.timestamp()),
                        body,
                    ),
                },
            )
            # Kept: the connection forgets its socket once the answer says
            # it closes, while the answer is still being read from it.
            sock = connection.sock
            response = connection.getresponse()
            excerpt = _excerpt(response, sock, started)
        finally:
            connection.close()
    except ValidationError as exc:
        attempt.error = " ".join(exc.messages)[:500]
    except TimeoutError:
        attempt.error = _("No answer within %(seconds)s seconds.") % {
            "seconds": settings.WEBHOOKS_TIMEOUT_SECONDS
        }
    except (OSError, ValueError) as exc:  # refused, TLS, malformed answer
        attempt.error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        attempt.status_code = response.status
        attempt.response_excerpt = excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS]
        if not attempt.succeeded:
            attempt.error = _("The endpoint answered %(status)s %(reason)s.") % {
                "status": response.status,
                "reason": response.reason,
            }
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    if attempt.error:
        logger.warning(
            "Webhook delivery %s to endpoint %s failed: %s",
            delivery.pk,
            endpoint.pk,
            attempt.error,
        )
    return attempt


def _excerpt(response, sock, started: float) -> bytes:
    """The start of the answer, read within the timeout counted from the
    start of the attempt: a receiver that sends its answer a byte at a time
    does not hold the worker longer."""
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    chunks, size = [], 0
    while size < EXCERPT_CHARS * 4:
        remaining = started + timeout - time.monotonic()
        if remaining <= 0:
            break
        sock.settimeout(remaining)
        try:
            chunk = response.read1(EXCERPT_CHARS * 4 - size)
        except TimeoutError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def resend_delivery(delivery: Delivery, *, user, now=None) -> Delivery:
    """Send a delivery again, at once, with a fresh series of retries (leads)."""
    endpoint = delivery.endpoint
    roles.require(user, Action.LEAD, endpoint.organisation_id)
    if not endpoint.is_active:
        raise ValidationError(_("Enable the endpoint before resending to it."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status = Delivery.Status.PENDING
        locked.tries = 0
        locked.next_attempt_at = now
        locked.claimed_at = None
        locked.save(
            update_fields=[
                "status",
                "tries",
                "next_attempt_at",
                "claimed_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: _enqueue_resend(locked))
    return locked


def _enqueue_resend(delivery: Delivery) -> None:
    from .tasks import resend_delivery as task

    task.enqueue(str(delivery.pk))


def send_due(now=None) -> int:
    """Queue every delivery whose attempt is due, and those a dead worker
    held; returns how many. For queues that cannot defer a task (and as a
    safety net for those that can)."""
    now = now or timezone.now()
    Delivery.objects.lost(now - LOST_AFTER).update(next_attempt_at=now)
    due = list(Delivery.objects.due(now).order_by("next_attempt_at"))
    for delivery in due:
        _enqueue(delivery)
    return len(due)
