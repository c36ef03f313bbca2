"""History panels read as sentences, not machine event names and field dumps."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audit.sentences import describe
from audit.services import audit_record
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2027, 3, 3, 14, 5, tzinfo=datetime.UTC)  # 14:05 in London in March


def _event(actor, action, changes, reason=""):
    account = SocialAccountFactory()
    with time_machine.travel(AT, tick=False):  # the clock of the example
        return audit_record(actor=actor, action=action, obj=account, changes=changes, reason=reason)


def test_a_ticked_box_reads_as_what_it_confirms(press_officer):
    press_officer.first_name, press_officer.surname = "Kate", "Morgan"
    press_officer.save()
    event = _event(
        press_officer.user,
        "socialaccount.setup_checklist_updated",
        {"login_lodged": [False, True], "key_id": [None, "k-2026-01"]},
    )
    s = describe(event)
    assert s.text == "Kate Morgan confirmed the login details were lodged, 3 March 2027 at 14:05"
    assert s.details == []  # no key ids, no "False → True"


def test_changes_read_as_fields_and_values_not_iso_timestamps(officer):
    event = _event(
        officer.user,
        "business_case.changed",
        {"display_name": ["PC Sharma", "PC Priya Sharma"], "hours_per_week": [3.0, 2.5]},
        reason="Asked by the press office",
    )
    s = describe(event)
    assert s.text.endswith("changed the business case, 3 March 2027 at 14:05")
    assert "Display name: PC Sharma → PC Priya Sharma" in s.details
    assert "Hours a week: 3 → 2.5" in s.details
    assert "Reason: Asked by the press office" in s.details
    flagged = describe(
        _event(None, "account.dormancy_flagged", {"last_post_at": [None, AT.isoformat()]})
    )
    assert flagged.text.startswith("The portal flagged the account")
    assert flagged.details == ["Last post: 3 March 2027 at 14:05"]


def test_an_unknown_action_still_reads_as_a_sentence(officer):
    s = describe(_event(officer.user, "socialaccount.something_new", {}))
    assert s.text.endswith("recorded: something new, 3 March 2027 at 14:05")


def test_the_account_page_history_has_no_machine_names(officer, login):
    account = SocialAccountFactory(owner=officer)
    audit_record(
        actor=officer.user,
        action="socialaccount.setup_checklist_updated",
        obj=account,
        changes={"login_lodged": [False, True]},
    )
    page = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "confirmed the login details were lodged" in history
    assert "setup_checklist_updated</" not in history and "False → True" not in history
