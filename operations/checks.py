"""Whether the services the app needs answer: the database, the cache and
the task queue. Used by /readyz; each check raises when its service fails."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)


def check_database() -> None:
    """One round trip to the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    """Write and read back a key in the shared cache (the lockout's store)."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, 1, 10)
    if cache.get(key) != 1:
        raise RuntimeError("the cache did not keep a key")
    cache.delete(key)


def check_task_queue() -> None:
    """The queue's table answers (django-tasks-db); other backends have none."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.ready().exists()


CHECKS = {"database": check_database, "cache": check_cache, "tasks": check_task_queue}


def failing_services() -> list[str]:
    """The names of the services that do not answer, each logged with why."""
    failing = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("readiness check failed: %s", name)
            failing.append(name)
    return failing
