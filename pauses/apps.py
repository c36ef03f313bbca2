from django.apps import AppConfig


class PausesConfig(AppConfig):
    name = "pauses"
    verbose_name = "Suspensions and critical-incident pauses"
