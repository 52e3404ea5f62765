"""Log lines as JSON, each with the id of the request it belongs to.

``request_id`` middleware gives every request an id (the proxy's
``X-Request-ID`` when it is a plain token, or a new one), sends it back in
the response header, and a filter puts it on every log record written while
the request runs. The formatter writes one JSON object per line, with the
extra fields of security events (``accounts/security_log.py``).
"""

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The attributes every LogRecord has; anything else was passed as extra=.
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def request_id(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Give the request an id, for its log lines and its X-Request-ID header."""

    def middleware(request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        value = incoming if ACCEPTABLE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = value
        # Kept until the response is closed: Django logs a 4xx or 5xx
        # ("Not Found: ...") after the middleware has returned.
        current_request_id.set(value)
        response = get_response(request)
        response.headers["X-Request-ID"] = value
        return response

    return middleware


@receiver(request_finished)
def forget_request_id(sender, **kwargs) -> None:
    """Lines written between requests belong to none."""
    current_request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Put the current request's id on the record (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id,
    and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in STANDARD and key not in line and key != "request":
                line[key] = value if _is_json(value) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _is_json(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None))
