"""On PostgreSQL, trigram indexes (pg_trgm) on officers' names, and an index on the upper-cased
staff number, serve the register's search by owner (`accounts.selectors.filter_register`)
without reading every officer. Django's `icontains` is `UPPER(column) LIKE UPPER('%...%')` and
`iexact` is `UPPER(column) = UPPER(...)` on PostgreSQL, hence `UPPER(column)`. Nothing is done on
SQLite (the development default)."""

from django.db import migrations

INDEXES = {
    "officer_surname_trgm": "surname",
    "officer_first_name_trgm": "first_name",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_officer "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS officer_staff_number_upper ON accounts_officer "
        "((UPPER(staff_number::text)))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*INDEXES, "officer_staff_number_upper"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_role_grants")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
