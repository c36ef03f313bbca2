"""The Django admin no longer bypasses role governance (issue 11): groups and who belongs to them,
staff and superuser status and per-user permissions are read-only there; a role changes only on
the Roles page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from audit.models import AuditEvent
from people.roles import Role, ensure_role_groups
from people.selectors import roles_of
from tests.factories import PASSWORD, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    """A superuser administrator signed in to the admin (as in the demo force)."""
    officer = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
    user = officer.user
    user.is_staff = user.is_superuser = True
    user.save()
    assert client.login(username=user.username, password=PASSWORD)
    return user


def _user_form(user, **extra):
    data = {
        "username": user.username,
        "first_name": "Changed",
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_an_admin_post_cannot_change_anyones_groups_or_powers(client, root, officer):
    groups = ensure_role_groups()
    permission = Permission.objects.get(codename="view_auditevent")
    url = reverse("admin:auth_user_change", args=[officer.user.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="groups"' not in page.content.decode()
    assert 'name="is_superuser"' not in page.content.decode()
    response = client.post(
        url,
        _user_form(
            officer.user,
            is_staff="on",
            is_superuser="on",
            groups=[groups[Role.PRESS_OFFICE].pk, groups[Role.ADMINISTRATOR].pk],
            user_permissions=[permission.pk],
        ),
    )
    assert response.status_code == 302
    officer.user.refresh_from_db()
    assert officer.user.first_name == "Changed"  # the harmless change is made...
    assert not officer.user.is_staff and not officer.user.is_superuser  # ...and no power is
    assert roles_of(officer.user) == [Role.OFFICER.value]
    assert not officer.user.user_permissions.exists()
    [event] = AuditEvent.objects.filter(action="user.changed_in_admin")
    assert event.actor == root
    assert set(event.changes) == {"first_name"} and event.changes["first_name"][1] == "Changed"


def test_an_administrator_cannot_add_themself_to_the_press_office_in_the_admin(client, root):
    press = ensure_role_groups()[Role.PRESS_OFFICE]
    client.post(
        reverse("admin:auth_user_change", args=[root.pk]),
        _user_form(root, is_staff="on", is_superuser="on", groups=[press.pk]),
    )
    assert roles_of(root) == [Role.ADMINISTRATOR.value]
    # Nor through the group's own page.
    group_url = reverse("admin:auth_group_change", args=[press.pk])
    assert client.get(group_url).status_code == 200  # they may look
    assert client.post(group_url, {"name": "Press office"}).status_code == 403
    assert not press.user_set.exists()


def test_superuser_status_cannot_be_given_from_the_admin(client, root):
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newadmin",
            "usable_password": "true",
            "password1": "a-long-enough-password-2026",
            "password2": "a-long-enough-password-2026",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [ensure_role_groups()[Role.ADMINISTRATOR].pk],
        },
    )
    assert response.status_code == 302
    made = get_user_model().objects.get(username="newadmin")
    assert not made.is_superuser and not made.is_staff
    assert roles_of(made) == []
    assert AuditEvent.objects.filter(action="user.created_in_admin", object_id=str(made.pk))


def test_groups_cannot_be_added_changed_or_deleted_in_the_admin(client, root):
    group = ensure_role_groups()[Role.AUDITOR]
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert client.post(reverse("admin:auth_group_add"), {"name": "Sneaky"}).status_code == 403
    assert (
        client.post(
            reverse("admin:auth_group_change", args=[group.pk]), {"name": "Renamed"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert set(Group.objects.values_list("name", flat=True)) == {r.value for r in Role}


def test_a_staff_user_cannot_make_themself_a_superuser(client):
    staff = UserFactory(username="helpdesk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_user"))
    assert client.login(username="helpdesk", password=PASSWORD)
    client.post(
        reverse("admin:auth_user_change", args=[staff.pk]),
        _user_form(staff, is_superuser="on"),
    )
    staff.refresh_from_db()
    assert not staff.is_superuser
    assert list(staff.user_permissions.values_list("codename", flat=True)) == ["change_user"]
