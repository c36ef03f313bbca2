"""The one UPDATE the trail allows (redacting a version-2 event's detail, once) must be a
redaction and nothing else: every value in `changes` becomes "[redacted]" under the same keys,
and the reason "[redacted]" (or stays empty). Before this, the trigger checked the hashed
columns and the names but not `changes` or `reason`, so a database writer could put new values
there while marking the event redacted."""

import importlib

from django.db import migrations

REDACTION_ONLY = """
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
        AND NEW.object_repr = '[redacted]'
        AND NEW.reason = (CASE WHEN OLD.reason = '' THEN '' ELSE '[redacted]' END)
        AND NEW.changes = (
            CASE WHEN jsonb_typeof(OLD.changes) = 'object' THEN (
                SELECT coalesce(jsonb_object_agg(k, to_jsonb('[redacted]'::text)), '{}'::jsonb)
                FROM jsonb_object_keys(OLD.changes) AS k
            ) ELSE '{}'::jsonb END
        )
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REDACTION_ONLY)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # audit/0003's function, for going back.
        earlier = importlib.import_module("audit.migrations.0003_redactable_detail")
        schema_editor.execute(earlier.REDACTABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_drop_unused_hash_and_action_like_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
