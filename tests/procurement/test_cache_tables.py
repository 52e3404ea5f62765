"""``migrate`` makes the cache tables the settings name: an upgrade that adds
the report cache needs no ``createcachetable`` of its own."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

migration = importlib.import_module("procurement.migrations.0021_report_cache_table")


def test_the_migration_makes_every_database_cache_table(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "reports": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_kept_reports",
        },
    }

    migration.create_cache_tables(None, SimpleNamespace(connection=connection))

    assert "test_kept_reports" in connection.introspection.table_names()
