from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Services queue tasks by name (core.queue) and never import their tasks modules, so
        # every app's tasks.py is registered here, once every model is loaded, in the web
        # process as in the worker.
        from portal.celery import app

        app.autodiscover_tasks(force=True)
