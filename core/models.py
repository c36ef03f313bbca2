"""Model shapes every app shares."""

from django.db import models
from django.utils.text import capfirst


def _plural(model) -> str:
    return capfirst(model._meta.verbose_name_plural)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{_plural(self.model)} are never edited.")

    def delete(self):
        raise PermissionError(f"{_plural(self.model)} are never deleted.")


class AppendOnlyModel(models.Model):
    """A record that is written once and kept: decisions, timelines, the audit trail. Saving an
    existing row or deleting one raises, through the instance and through the queryset alike."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{_plural(self)} are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{_plural(self)} are never deleted.")


class Heartbeat(models.Model):
    """When a periodic job last ran, by name. `scheduler` is written by the heartbeat task that
    beat sends every HEARTBEAT_SECONDS and a worker runs: a recent one proves both are alive."""

    name = models.CharField(max_length=40, primary_key=True)
    last_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_at:%Y-%m-%d %H:%M:%S}"
