"""On PostgreSQL the register's search (`accounts.selectors.filter_register`: handle or display
name containing the words, any case) is served by trigram indexes (pg_trgm) instead of reading
every account. Django's `icontains` is `UPPER(column) LIKE UPPER('%...%')` on PostgreSQL, so the
indexes are on `UPPER(column)`. SQLite (the development default) has no such index: nothing is
done there."""

from django.db import migrations

INDEXES = {
    "social_account_handle_trgm": "handle",
    "social_account_display_name_trgm": "display_name",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_socialaccount "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_import_job_bytes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
