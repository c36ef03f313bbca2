"""The audit stream: JSON Lines after a cursor whose hashes and links a SIEM can verify from what
it received alone, by the API and by the management command alike."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command

from accounts.services import social_account_mark_compromised
from api.models import Scope
from audit.models import GENESIS_HASH, AuditEvent
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _hashed_fields(n: int, line: dict) -> dict | None:
    """The detail a line's hash vouches for: in `hashed` itself (version 1), or in `detail`,
    checked against the digest in `hashed` (version 2); None for a redacted event."""
    hashed = line["hashed"]
    if hashed.get("hash_version") != 2:
        return hashed
    if line["detail"] is None:
        assert line["redacted"], f"line {n}: no detail and not redacted"
        return None
    digest = hashlib.sha256(
        _canonical({"detail": line["detail"]["fields"], "salt": line["detail"]["salt"]})
    ).hexdigest()
    if digest != hashed["detail_digest"]:
        raise AssertionError(f"line {n}: detail does not match its digest")
    return line["detail"]["fields"]


def verify(lines: list[dict], previous: str) -> int:
    """What a SIEM does with the lines it received: each line's hash is the SHA-256 of its
    `hashed` content in canonical JSON, each links to the one before, and the fields it shows
    are the ones hashed (through the salted digest for version 2). Returns how many."""
    for n, line in enumerate(lines):
        if hashlib.sha256(_canonical(line["hashed"])).hexdigest() != line["hash"]:
            raise AssertionError(f"line {n}: hash does not match its content")
        if line["prev_hash"] != previous or line["hashed"]["prev_hash"] != previous:
            raise AssertionError(f"line {n}: not linked to the line before")
        fields = _hashed_fields(n, line)
        shown = {
            "changes": line["changes"],
            "reason": line["reason"],
            "actor_label": line["actor"]["name"],
            "object_repr": line["object"]["name"],
        }
        if line["action"] != line["hashed"]["action"] or (
            fields is not None and any(fields[k] != v for k, v in shown.items())
        ):
            raise AssertionError(f"line {n}: fields differ from the hashed content")
        previous = line["hash"]
    return len(lines)


def _parse(text: str) -> list[dict]:
    return [json.loads(row) for row in text.splitlines()]


@pytest.fixture
def trail(press_officer, make_client, auditor):
    """A trail of a few events (the client's creation among them), and an auditor's client."""
    for handle in ("One", "Two", "Three"):
        social_account_mark_compromised(
            actor=press_officer.user, account=SocialAccountFactory(handle=handle), reason="Hacked"
        )
    _, token = make_client(auditor, [Scope.READ_AUDIT], name="Splunk")
    return token


def test_the_streams_hashes_verify_end_to_end_page_by_page(call, trail):
    total = AuditEvent.objects.count()
    received, cursor, previous = [], 0, GENESIS_HASH
    while True:
        response = call(trail, "get", f"/audit/stream?after={cursor}&limit=2")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/x-ndjson"
        lines = _parse(response.content.decode())
        if not lines:
            assert int(response["X-Next-Cursor"]) == cursor
            break
        verify(lines, previous)
        previous, cursor = lines[-1]["hash"], int(response["X-Next-Cursor"])
        assert cursor == lines[-1]["cursor"]
        received += lines
    assert len(received) == total >= 4
    assert [line["cursor"] for line in received] == list(range(1, total + 1))
    compromised = next(line for line in received if line["action"] == "socialaccount.compromised")
    assert compromised["object"]["type"] == "accounts.socialaccount"
    assert compromised["outcome"] == "success" and compromised["reason"] == "Hacked"


def test_a_line_changed_on_the_way_fails_verification(call, trail):
    lines = _parse(call(trail, "get", "/audit/stream").content.decode())
    verify(lines, GENESIS_HASH)
    lines[1]["hashed"]["reason"] = "nothing to see"
    with pytest.raises(AssertionError, match="line 1: hash"):
        verify(lines, GENESIS_HASH)
    fresh = _parse(call(trail, "get", "/audit/stream").content.decode())
    fresh[1]["changes"] = {"status": ["active", "closed"]}  # the detail shown, not as hashed
    with pytest.raises(AssertionError, match="line 1: fields differ"):
        verify(fresh, GENESIS_HASH)
    fresh[1]["detail"]["fields"]["changes"] = fresh[1]["changes"]  # the detail too
    with pytest.raises(AssertionError, match="line 1: detail does not match its digest"):
        verify(fresh, GENESIS_HASH)
    fresh = _parse(call(trail, "get", "/audit/stream").content.decode())
    with pytest.raises(AssertionError, match="line 1: not linked"):
        verify(fresh[:1] + fresh[2:], GENESIS_HASH)  # an event left out


def test_the_command_prints_the_same_stream(call, trail):
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_stream", "--after", "2", stdout=out, stderr=err)
    assert out.getvalue() == call(trail, "get", "/audit/stream?after=2").content.decode()
    lines = _parse(out.getvalue())
    assert verify(lines, AuditEvent.objects.get(sequence=2).hash) == AuditEvent.objects.count() - 2
    assert err.getvalue().strip() == f"next cursor: {lines[-1]['cursor']}"


def test_sign_in_failures_carry_their_source_address_and_outcome(call, trail, client):
    client.post("/login/", {"login": "nobody", "password": "wrong"}, REMOTE_ADDR="127.0.0.9")
    lines = _parse(call(trail, "get", "/audit/stream").content.decode())
    failed = [line for line in lines if line["outcome"] == "failure"]
    assert failed, [line["action"] for line in lines]
    assert failed[-1]["source_address"] == "127.0.0.9"


def test_the_stream_needs_an_owner_who_reads_the_trail(call, make_client, officer):
    _, token = make_client(officer, [Scope.READ_AUDIT])
    assert call(token, "get", "/audit/stream").status_code == 403


def test_a_redacted_event_still_verifies_in_the_stream(call, trail):
    from audit.services import audit_redact

    event = AuditEvent.objects.filter(action="socialaccount.compromised").first()
    assert audit_redact(event_ids=[event.pk]) == 1
    lines = _parse(call(trail, "get", "/audit/stream").content.decode())
    assert verify(lines, GENESIS_HASH) == len(lines)
    redacted = next(line for line in lines if line["cursor"] == event.sequence)
    assert redacted["redacted"] is True and redacted["detail"] is None
    assert redacted["reason"] == "[redacted]" and "Hacked" not in json.dumps(redacted)
