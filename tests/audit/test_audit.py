import itertools
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditEvent
from audit.selectors import history_for, verify_chain
from audit.services import REDACTED, audit_record, diff, snapshot
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_record_keeps_actor_action_changes_reason(officer):
    account = SocialAccountFactory(owner=officer)
    event = audit_record(
        actor=officer.user,
        action="account.renamed",
        obj=account,
        changes={"handle": ["Old", "New"]},
        reason="Handed over",
    )
    assert event.sequence == 1
    assert event.actor == officer.user
    assert officer.staff_number in event.actor_label
    assert event.object_type == "accounts.socialaccount"
    assert event.object_id == str(account.pk)
    assert event.changes == {"handle": ["Old", "New"]}
    assert list(history_for(account)) == [event]


def test_secrets_never_reach_the_trail(officer):
    account = SocialAccountFactory(owner=officer)
    event = audit_record(
        actor=officer.user,
        action="credentials.lodged",
        obj=account,
        changes={
            "password": [None, "hunter2hunter2"],
            "secret_ciphertext": "x",
            "api_token": "abc",
        },
    )
    event.refresh_from_db()
    assert "hunter2hunter2" not in str(event.changes)
    assert set(event.changes.values()) == {REDACTED}


def test_snapshot_and_diff_skip_secret_fields(officer):
    account = SocialAccountFactory(owner=officer, handle="Before")
    before = snapshot(account, ["handle", "status", "owner"])
    account.handle = "After"
    assert diff(before, snapshot(account, ["handle", "status", "owner"])) == {
        "handle": ["Before", "After"]
    }


def test_events_are_append_only(officer):
    account = SocialAccountFactory(owner=officer)
    event = audit_record(actor=None, action="x", obj=account)
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def _chain(officer, n=5):
    account = SocialAccountFactory(owner=officer)
    return [
        audit_record(actor=officer.user, action=f"step.{i}", obj=account, changes={"n": [i, i + 1]})
        for i in range(n)
    ]


def test_chain_links_each_event_to_the_one_before(officer):
    events = _chain(officer)
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert verify_chain() == (5, None, "")
    call_command("verify_audit_chain")


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A database superuser bypassing the append-only trigger: the chain still notices.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_verify_names_the_first_edited_event(officer):
    events = _chain(officer)
    _tamper("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["forged", events[2].pk])
    checked, broken, why = verify_chain()
    assert (checked, broken.pk) == (2, events[2].pk)
    assert "content" in why
    with pytest.raises(CommandError, match=f"event #{events[2].sequence}"):
        call_command("verify_audit_chain")


def test_verify_names_the_event_after_a_deleted_one(officer):
    events = _chain(officer)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    _, broken, why = verify_chain()
    assert broken.pk == events[2].pk
    assert "missing" in why


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL's")
def test_postgres_refuses_updates_even_in_raw_sql(officer):
    from django.db import InternalError, transaction

    events = _chain(officer, 1)
    with (
        pytest.raises(InternalError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET reason='x' WHERE id=%s", [events[0].pk])


def test_bulk_append_chains_like_single_appends(officer, django_assert_max_num_queries):
    from audit.services import audit_record_many

    audit_record(actor=None, action="first", obj=officer)
    accounts = [SocialAccountFactory(owner=officer) for _ in range(30)]
    with django_assert_max_num_queries(6):
        assert (
            audit_record_many(
                actor=None,
                action="account.flagged_dormant",
                entries=[(a, {"dormancy": [None, "dormant"]}) for a in accounts],
            )
            == 30
        )
    assert AuditEvent.objects.count() == 31
    assert verify_chain() == (31, None, "")
    assert history_for(accounts[5]).get().changes == {"dormancy": [None, "dormant"]}


def test_trail_pages_by_sequence_newest_first_and_filters(officer, client):
    import re

    from django.urls import reverse

    from audit.selectors import trail_object_types
    from people.roles import Role
    from tests.factories import OfficerFactory

    events = _chain(officer, n=120)
    auditor = OfficerFactory(roles=[Role.AUDITOR])
    client.force_login(auditor.user)
    numbers = []
    for page in (1, 2, 3):
        html = client.get(reverse("audit:trail"), {"page": page}).content.decode()
        numbers += [int(n) for n in re.findall(r'app-numeric">(\d+)</td>', html)]
    last = AuditEvent.objects.order_by("-sequence").first().sequence
    assert numbers == list(range(last, last - len(numbers), -1))
    assert len(numbers) == last and numbers[-1] == 1
    html = client.get(reverse("audit:trail"), {"action": "step.119"}).content.decode()
    assert re.findall(r'app-numeric">(\d+)</td>', html) == [str(events[119].sequence)]
    assert "accounts.socialaccount" in trail_object_types()
    assert trail_object_types() == sorted(
        set(AuditEvent.objects.values_list("object_type", flat=True))
    )


def test_bulk_append_hashes_awkward_content_as_verification_reads_it(officer):
    """The bulk writer joins pre-serialised JSON; verification hashes what the database gives
    back. Quotes, percent signs, non-ASCII text, nested and non-JSON values must agree."""
    import datetime
    import decimal
    import uuid

    from audit.models import (
        CANONICAL,
        DETAIL_FIELDS,
        SKELETON_KEYS,
        ChainTemplate,
        content_hash,
        skeleton,
    )
    from audit.services import audit_record_rows

    audit_record(actor=officer.user, action="first", obj=officer)
    changes = [
        {"note": ['50% "done"', "Zoë’s \\ account\n"], "nested": {"b": 1, "a": [1.5, None]}},
        {"when": [None, datetime.date(2026, 3, 1)], "amount": [decimal.Decimal("1.10"), 2]},
        {"ref": [None, uuid.UUID(int=7)], "password": ["old", "new"]},
        {},
    ]
    entries = [
        ("accounts.socialaccount", n, f'@Ünïcode%s {n} "quoted"', c) for n, c in enumerate(changes)
    ]
    assert (
        audit_record_rows(actor=officer.user, action="odd %(x)s", entries=entries, reason="100%")
        == 4
    )
    events = list(AuditEvent.objects.filter(action="odd %(x)s").order_by("sequence"))
    assert events[2].changes["password"] == "[redacted]"
    assert events[1].changes["amount"] == ["1.10", 2]
    for event in events:
        assert event.compute_hash() == event.hash
    assert verify_chain() == (5, None, "")
    # The templates give the bytes `content_hash` hashes, for the skeleton and for the detail.
    shared = {"action": "a", "actor_id": 3, "created_at": "2026-01-01T00:00:00+00:00"}
    event = {"sequence": 9, "object_type": "x.y", "object_id": "1", "prev_hash": "f" * 64}
    skeleton_template = ChainTemplate(SKELETON_KEYS, **shared, hash_version=2)
    encoded = {k: CANONICAL.encode(v) for k, v in event.items()}
    assert skeleton_template.hash(**encoded, detail_digest='"d%s"') == content_hash(
        skeleton(**event, **shared, detail_digest="d%s")
    )
    detail_template = ChainTemplate(DETAIL_FIELDS, actor_label="Zoë", reason="100%")
    detail = {"actor_label": "Zoë", "reason": "100%", "object_repr": "%d \u2019"}
    text = detail_template.canonical(
        changes=CANONICAL.encode(changes[0]), object_repr=CANONICAL.encode(detail["object_repr"])
    )
    assert json.loads(text) == {**detail, "changes": changes[0]}
    assert text == CANONICAL.encode({**detail, "changes": changes[0]})


def test_changes_template_encodes_as_the_dict_would_and_redacts_secret_slots(officer):
    from audit.models import CANONICAL
    from audit.services import ChangesTemplate, _scrub, audit_record_rows

    slot = ChangesTemplate.slot
    template = ChangesTemplate({"note": [None, slot(0)], "level": [None, '100% "done"']})
    for value in ['a "quoted" \\ back\tslash\n', "Zoë’s %s %(x)s", ""]:
        assert template(value) == CANONICAL.encode(
            _scrub({"note": [None, value], "level": [None, '100% "done"']})
        )
    secret = ChangesTemplate({"password": [None, slot(0)], "other": [slot(1), 1]})
    assert json.loads(secret("hunter2", "x")) == {"password": REDACTED, "other": ["x", 1]}
    assert "hunter2" not in secret("hunter2", "x")
    # Events written from template changes are stored and chained like events from dicts.
    audit_record(actor=None, action="first", obj=officer)
    entries = [
        ("accounts.socialaccount", n, f"@x{n}\t(\\tab)\n", template(f"v{n}\\")) for n in range(3)
    ]
    assert audit_record_rows(actor=None, action="templated", entries=entries) == 3
    events = AuditEvent.objects.filter(action="templated").order_by("sequence")
    assert [e.changes["note"] for e in events] == [[None, f"v{n}\\"] for n in range(3)]
    assert [e.object_repr for e in events] == [f"@x{n}\t(\\tab)\n" for n in range(3)]
    assert verify_chain() == (4, None, "")


def test_bulk_append_of_nothing_takes_no_lock_and_writes_nothing():
    from django.test.utils import CaptureQueriesContext

    from audit.services import audit_record_rows

    with CaptureQueriesContext(connection) as queries:
        assert audit_record_rows(actor=None, action="none", entries=iter(())) == 0
    assert not [q for q in queries if "SAVEPOINT" not in q["sql"]]
    assert not AuditEvent.objects.exists()
