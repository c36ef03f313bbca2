"""Every admin page answers; records only services write cannot be added, changed or deleted
there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin import ReadOnlyAdmin
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_list_answers_and_service_records_are_read_only(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client.login(username="root", password=PASSWORD)
    read_only = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        add = client.get(reverse("admin:{}_{}_add".format(*info)))
        if isinstance(model_admin, ReadOnlyAdmin):
            read_only.append(model._meta.label)
            assert add.status_code == 403, info
        else:
            assert add.status_code == 200, info
    assert {
        "audit.AuditEvent",
        "approvals.Decision",
        "handovers.TransitionDecision",
        "incidents.Incident",
        "custody.Credential",
        "notifications.Notification",
        "handovers.CredentialDestruction",
    } <= set(read_only)
