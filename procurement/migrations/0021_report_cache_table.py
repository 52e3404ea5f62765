"""The cache tables of settings.CACHES (the procurement page's kept reports,
and the default cache), made by migrate so that an upgrade needs no other
step; nothing when the caches are elsewhere (memory, Redis)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0020_assessment_visible_index")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
