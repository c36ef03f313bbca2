from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel every app stands on: the append-only model base, the queue helper,
    formula-safe CSV, the domain-error family, lock-and-fire for workflows, the working-day
    calendar and the view helper that turns a domain error into a message. It imports no app."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.page_cache import install_change_triggers

        # Every table, including one a later migration adds, advances the page cache's generation.
        post_migrate.connect(install_change_triggers, sender=self, dispatch_uid="core_change")
