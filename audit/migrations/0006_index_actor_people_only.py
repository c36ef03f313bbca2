import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The field's own index, by the name Django gave it (the same on PostgreSQL and SQLite).
ACTOR_INDEX = "audit_auditevent_actor_id_270bb4b7"


class Migration(migrations.Migration):
    """The actor's index without the system's events (no actor). The field loses its own index
    by SQL rather than by AlterField, which would drop and re-add the foreign key and so check
    every event of the trail again."""

    dependencies = [
        ("audit", "0005_redaction_keeps_the_shape"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="audit_event_by_person",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {ACTOR_INDEX}",
                    f"CREATE INDEX {ACTOR_INDEX} ON audit_auditevent (actor_id)",
                ),
            ],
        ),
    ]
