from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel every app stands on: the append-only model base, the queue helper,
    formula-safe CSV, the domain-error family, lock-and-fire for workflows, the working-day
    calendar and the view helper that turns a domain error into a message. It imports no app."""

    name = "core"
    verbose_name = "Core"
