"""Trigram indexes for the front desk's couple search (PostgreSQL only).

Django's `icontains` compiles to `UPPER(column) LIKE UPPER('%…%')` on PostgreSQL, so the
indexes are on the upper-cased columns. The embedded SQLite demo skips them.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS partner_{column}_trgm ON intake_partner "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS partner_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_screening_safety")]

    operations = [migrations.RunPython(_create, _drop)]
