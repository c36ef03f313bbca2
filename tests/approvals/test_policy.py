"""Policy versions: published by an administrator, acknowledged on submission and by account
owners, and a list of the owners who have not accepted the current one."""

import pytest
from django.core import mail
from django.urls import reverse

from approvals.models import PolicyAcknowledgement, PolicyVersion
from audit.models import AuditEvent
from people.roles import Role
from tests.factories import OfficerFactory, PolicyAcknowledgementFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


def test_administrator_publishes_and_every_owner_is_asked(
    login, administrator, officer, other_officer, django_capture_on_commit_callbacks
):
    SocialAccountFactory(owner=officer)
    SocialAccountFactory(owner=other_officer, status="closed")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(administrator).post(
            reverse("approvals:policy_publish"),
            {
                "title": "Social media policy",
                "version": "4.0",
                "text": "",
                "url": "https://intranet.example/press/social-media",
                "published_on": "2026-11-20",
            },
        )
    assert response.status_code == 302
    policy = PolicyVersion.objects.get()
    assert PolicyVersion.current() == policy
    assert AuditEvent.objects.filter(action="policy.published", object_id=str(policy.pk)).exists()
    assert [m.to for m in mail.outbox] == [[officer.user.email]]


def test_publishing_needs_text_or_link_and_a_new_version(login, administrator, policy):
    client = login(administrator)
    response = client.post(
        reverse("approvals:policy_publish"),
        {"title": "Policy", "version": policy.version, "text": "", "url": "", "published_on": ""},
    )
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Paste the text of the policy or give a link to it" in html
    assert "already been published" in html
    assert PolicyVersion.objects.count() == 1


def test_officer_cannot_publish(login, officer):
    assert login(officer).get(reverse("approvals:policy_publish")).status_code == 403


def test_portal_shows_who_has_not_accepted_the_new_version(
    login, press_officer, officer, other_officer, policy
):
    SocialAccountFactory(owner=officer)
    SocialAccountFactory(owner=other_officer)
    PolicyAcknowledgementFactory(officer=officer, policy=policy)
    html = login(press_officer).get(reverse("approvals:policy_outstanding")).content.decode()
    assert other_officer.staff_number in html
    assert officer.staff_number not in html


def test_owner_accepts_the_current_version(login, client, officer, policy, press_officer):
    SocialAccountFactory(owner=officer)
    login(officer)
    home = client.get(reverse("home")).content.decode()
    assert f"Read and accept {policy}" in home
    response = client.post(
        reverse("approvals:policy"),
        {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
    )
    assert response.status_code == 302
    ack = PolicyAcknowledgement.objects.get(officer=officer)
    assert ack.policy == policy and ack.personal_use_read
    assert f"Read and accept {policy}" not in client.get(reverse("home")).content.decode()
    client.logout()
    html = login(press_officer).get(reverse("approvals:policy_outstanding")).content.decode()
    assert officer.staff_number not in html


def test_accepting_an_old_version_is_refused(login, officer, policy):
    from tests.factories import PolicyVersionFactory

    newer = PolicyVersionFactory(version="9.9")
    response = login(officer).post(
        reverse("approvals:policy"),
        {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
        follow=True,
    )
    assert "newer version" in response.content.decode()
    assert not PolicyAcknowledgement.objects.filter(policy=newer).exists()


def test_submitting_against_a_superseded_policy_is_refused(login, draft, policy):
    from tests.factories import PolicyVersionFactory

    PolicyVersionFactory(version="9.9")
    response = login(draft.applicant).post(
        reverse("approvals:submit", args=[draft.pk]),
        {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
        follow=True,
    )
    assert "newer policy" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_submission_needs_both_acknowledgements(login, draft, policy):
    response = login(draft.applicant).post(
        reverse("approvals:submit", args=[draft.pk]), {"policy": policy.pk, "read_policy": "on"}
    )
    assert "Confirm that you have read the personal-use guidance" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_a_version_dated_in_the_future_is_not_yet_current(policy):
    import datetime

    from django.utils import timezone

    from tests.factories import PolicyVersionFactory

    PolicyVersionFactory(
        version="5.0", published_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    assert PolicyVersion.current() == policy


def test_the_home_asks_only_owners_of_a_live_account_and_again_for_each_new_version(
    login, client, officer, policy
):
    from tests.factories import PolicyVersionFactory

    SocialAccountFactory(owner=officer, status="closed")
    login(officer)
    assert "Read and accept" not in client.get(reverse("home")).content.decode()

    SocialAccountFactory(owner=officer)
    assert f"Read and accept {policy}" in client.get(reverse("home")).content.decode()

    PolicyAcknowledgementFactory(officer=officer, policy=policy)
    assert "Read and accept" not in client.get(reverse("home")).content.decode()

    newer = PolicyVersionFactory(version="9.9")  # in force from today
    assert f"Read and accept {newer}" in client.get(reverse("home")).content.decode()
