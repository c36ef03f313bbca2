"""Redactable detail (hash version 2, see AuditEvent). Existing events keep hash version 1 and
their hashes untouched, so the chain verifies exactly as before; new events are written as
version 2. The append-only trigger now lets through one kind of UPDATE only: redacting a
version-2 event's detail, once, with every hashed column unchanged. Deletion stays refused."""

from django.db import migrations, models

REDACTABLE = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.hash_version = 2 AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.sequence = OLD.sequence AND NEW.created_at = OLD.created_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.action = OLD.action
        AND NEW.object_type = OLD.object_type AND NEW.object_id = OLD.object_id
        AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
        AND NEW.hash_version = OLD.hash_version AND NEW.detail_digest = OLD.detail_digest
        AND NEW.detail_salt = '' AND NEW.actor_label = '[redacted]'
        AND NEW.object_repr = '[redacted]' AND NEW.reason IN ('', '[redacted]')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REDACTABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="detail_digest",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="detail_salt",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
