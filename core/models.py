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
