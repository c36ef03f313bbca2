"""The plaintext of lodged credentials appears nowhere but the reveal page: not in any column of
any table, not in the logs (DEBUG, SQL included), not in mail, not in any other page, not in the
admin, exports or error reports."""

import io
import logging
import sys
import time

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.views.debug import ExceptionReporter

from accounts.models import SocialAccount
from core import crypto
from custody import views as custody_views
from custody.models import Credential
from custody.services import credential_lodge, credential_reveal
from portal.management.commands.seed_demo import demo_credential_password
from tests.factories import PASSWORD, OfficerFactory, SocialAccountFactory
from tests.mfa import totp_code

pytestmark = pytest.mark.django_db(transaction=False)

LOGIN = "stechford-login-5512@police.example"
PASSWORD_1 = "Lodged-By-Owner-9f3k!"
PASSWORD_2 = "Rotated-By-Press-77qz!"
NOTES = "Recovery codes in the safe, ref 88412-zz"
SECRETS = [LOGIN, PASSWORD_1, PASSWORD_2, NOTES]


def _all_stored_text() -> list[tuple[str, str, str]]:
    """(table, column, value) for every value in every column of every table."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            # The table name comes from the database's own catalogue, quoted: never input.
            sql = f"SELECT * FROM {connection.ops.quote_name(table)}"  # noqa: S608  # nosec B608
            cursor.execute(sql)
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | bytearray | memoryview):
                        text = bytes(value).decode("latin-1")
                    else:
                        text = str(value)
                    found.append((table, column, text))
    return found


def _leaks(text: str, secrets=SECRETS) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.fixture
def seeded(
    db,
    login,
    client,
    officer,
    supervisor,
    press_officer,
    caplog,
    django_capture_on_commit_callbacks,
):
    """Credentials lodged the way people lodge them: the owner through the page, then the press
    office rotating them through the page."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        account = SocialAccountFactory(owner=officer, handle="StechfordWMP")
        with django_capture_on_commit_callbacks(execute=True):
            response = login(officer).post(
                reverse("custody:lodge", args=[account.pk]),
                {"login": LOGIN, "password": PASSWORD_1, "notes": NOTES},
            )
            assert response.status_code == 302
        client.logout()
        with django_capture_on_commit_callbacks(execute=True):
            response = login(press_officer).post(
                reverse("custody:rotate", args=[account.pk]),
                {"login": LOGIN, "password": PASSWORD_2, "notes": NOTES, "reason": "handover"},
            )
            assert response.status_code == 302
        client.logout()
    finally:
        connection.force_debug_cursor = False
    assert any("INSERT" in r.getMessage() for r in caplog.records), "SQL was not captured"
    return account


def test_plaintext_is_in_no_column_of_any_table(seeded):
    assert Credential.objects.filter(account=seeded).exists()
    leaks = [(t, c) for t, c, value in _all_stored_text() if _leaks(value)]
    assert leaks == []


def test_the_scan_would_find_a_plaintext_if_one_were_stored(seeded):
    SocialAccount.objects.filter(pk=seeded.pk).update(display_name=PASSWORD_2)
    assert [(t, c) for t, c, v in _all_stored_text() if _leaks(v)] == [
        ("accounts_socialaccount", "display_name")
    ]


def test_plaintext_is_in_no_log_record(seeded, caplog):
    text = caplog.text + "".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert _leaks(text) == []


def test_plaintext_is_in_no_mail_or_notification(seeded):
    assert len(mail.outbox) >= 2  # the press office and the owner were told
    for message in mail.outbox:
        assert _leaks(message.subject + message.body) == []


def _pages_for(account, *, as_admin: bool):
    pages = [
        reverse("accounts:list"),
        reverse("accounts:list") + "?q=Stechford",
        reverse("accounts:export"),
        reverse("accounts:detail", args=[account.pk]),
        reverse("custody:needed"),
        reverse("custody:lodge", args=[account.pk]),
        reverse("custody:rotate", args=[account.pk]),
        reverse("custody:reveal", args=[account.pk]),
        reverse("notifications:inbox"),
        reverse("audit:trail"),
        reverse("audit:trail") + "?action=credential",
        reverse("home"),
        reverse("verify:page") + "?handle=StechfordWMP",
        reverse("verify:accounts_json"),
    ]
    if as_admin:
        credential = Credential.objects.get(account=account)
        pages += [
            "/admin/custody/credential/",
            f"/admin/custody/credential/{credential.pk}/change/",
            f"/admin/accounts/socialaccount/{account.pk}/change/",
            "/admin/audit/auditevent/",
        ]
    return pages


def test_plaintext_is_on_no_page_but_the_reveal(seeded, login, client, officer, press_officer):
    admin = OfficerFactory()
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    for person, as_admin in ((officer, False), (press_officer, False), (admin, True)):
        client.logout()
        login(person)
        for url in _pages_for(seeded, as_admin=as_admin):
            response = client.get(url)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            body = b"".join(response) if response.streaming else response.content
            assert _leaks(body.decode()) == [], (person, url)

    # The one place it is shown: the reveal, after a fresh password and a reason.
    client.logout()
    login(press_officer)
    client.post(reverse("custody:reauth"), {"password": PASSWORD, "code": totp_code()})
    response = client.post(reverse("custody:reveal", args=[seeded.pk]), {"reason": "appeal"})
    assert PASSWORD_2 in response.content.decode()
    assert PASSWORD_1 not in response.content.decode()  # the old one was replaced
    assert "no-store" in response["Cache-Control"]


def test_error_report_for_a_failed_lodging_hides_the_secret(rf, officer, monkeypatch):
    """What DEBUG's error page and the admins' error mail would show (ExceptionReporter)."""
    account = SocialAccountFactory(owner=officer)

    def broken_nonce():
        raise OSError("entropy source failed")

    monkeypatch.setattr(crypto, "_new_nonce", broken_nonce)  # custody seals through core
    request = rf.post(
        reverse("custody:lodge", args=[account.pk]),
        {"login": LOGIN, "password": PASSWORD_1, "notes": NOTES},
    )
    request.user = officer.user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    exc_info = None
    try:
        custody_views.lodge(request, pk=account.pk)
    except OSError:
        exc_info = sys.exc_info()
    assert exc_info is not None
    reporter = ExceptionReporter(request, *exc_info)
    text = reporter.get_traceback_text()
    html = reporter.get_traceback_html()
    assert "entropy source failed" in text  # the report is real...
    assert "_store" in text  # ...and walks through the service's frames
    assert _leaks(text) == [] and _leaks(html) == []


def test_error_report_for_a_failed_reveal_hides_the_secret(rf, officer, press_officer, monkeypatch):
    account = SocialAccountFactory(owner=officer)
    credential_lodge(actor=officer.user, account=account, login=LOGIN, password=PASSWORD_1)

    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("custody.services.audit_record", broken_audit)
    exc_info = None
    try:
        credential_reveal(
            actor=press_officer.user, account=account, reason="x", reauthenticated_at=time.time()
        )
    except RuntimeError:
        exc_info = sys.exc_info()
    assert exc_info is not None
    reporter = ExceptionReporter(None, *exc_info)
    text = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "audit store down" in text
    assert _leaks(text) == []


def test_demo_seed_credentials_are_sealed_and_revealable(db):
    call_command("seed_demo", stdout=io.StringIO())
    lodged = list(Credential.objects.select_related("account"))
    assert lodged, "the demo lodges some credentials"
    assert SocialAccount.objects.exclude(credential__isnull=False).exists()  # and leaves some
    plaintexts = [demo_credential_password(c.account.handle) for c in lodged]
    assert [(t, c) for t, c, v in _all_stored_text() if _leaks(v, plaintexts)] == []
