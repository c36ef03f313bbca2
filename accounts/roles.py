"""The portal's roles. Each is a Django group, created by a migration; a person can hold several."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "Officer", "Officer"
    SUPERVISOR = "Supervisor", "Supervisor"
    PRESS_OFFICE = "Press office", "Press office"
    AUDITOR = "Auditor", "Auditor"
    ADMINISTRATOR = "Administrator", "Administrator"
