"""SQLite's query planner statistics, which SQLite does not gather by itself.

PostgreSQL's autovacuum analyses tables as they grow. SQLite keeps no
statistics until ``ANALYZE`` runs, and without them takes every index for a
selective one: the assessments API, newest first across the user's
organisations, then sorted every assessment of the organisation instead of
walking the newest-first index to its page's last row (93 ms instead of 30
at a million answers). ``migrate`` (so every ``make run``) and an
organisation import refresh them: 0.6 s at a million answers.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> None:
    """``ANALYZE`` on SQLite; nothing elsewhere (autovacuum does it)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def refresh_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    refresh_statistics(using)
