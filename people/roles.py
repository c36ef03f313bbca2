"""The portal's roles. Each is a Django group, created by a migration; a person can hold several."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "Officer", "Officer"
    SUPERVISOR = "Supervisor", "Supervisor"
    PRESS_OFFICE = "Press office", "Press office"
    AUDITOR = "Auditor", "Auditor"
    ADMINISTRATOR = "Administrator", "Administrator"


# Giving one of these needs a second administrator's approval: the press office holds every
# account's login details, and an administrator gives roles.
ROLES_NEEDING_APPROVAL = frozenset({Role.PRESS_OFFICE, Role.ADMINISTRATOR})


def ensure_role_groups():
    """Create any missing role group (a migration creates them; a database flushed by a test
    or restored by hand may have lost them)."""
    from django.contrib.auth.models import Group

    return {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
