"""Private pages stay private (issue 11): every page for a signed-in person and every CSV export
says `Cache-Control: private, no-store`; the public verification page and static files stay
cacheable."""

import pytest
from django.urls import reverse

from tests.factories import BusinessCaseFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",") if d}


def _private(response) -> bool:
    return {"private", "no-store"} <= _directives(response) and "public" not in _directives(
        response
    )


REPORTS = ["dormancy", "orphans", "waiting", "credentials", "recertifications", "incidents"]


def test_signed_in_pages_are_private_and_not_stored(client, login, officer, auditor):
    case = BusinessCaseFactory(applicant=officer)
    account = SocialAccountFactory(owner=officer)
    login(auditor)
    pages = [
        reverse("home"),
        reverse("accounts:list"),
        reverse("accounts:detail", args=[account.pk]),
        reverse("approvals:detail", args=[case.pk]),
        reverse("audit:trail"),
        reverse("reports:index"),
        reverse("notifications:inbox"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), (url, response.get("Cache-Control"))


def test_every_csv_export_is_private_and_not_stored(client, login, auditor):
    login(auditor)
    exports = [reverse("accounts:export")] + [
        reverse(f"reports:{name}") + "?format=csv" for name in REPORTS
    ]
    for url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv"), url
        assert _private(response), (url, response.get("Cache-Control"))


def test_refusals_and_redirects_are_not_stored_either(client, login, officer):
    login(officer)
    assert _private(client.get(reverse("audit:trail")))  # 403
    assert _private(client.get(reverse("accounts:detail", args=[999999])))  # 404
    client.logout()
    assert _private(client.get(reverse("home")))  # redirect to sign in
    login_page = client.get(reverse("login"))
    assert login_page.status_code == 200 and _private(login_page)


def test_the_public_verification_page_stays_cacheable(client):
    for url in (reverse("verify:page"), reverse("verify:accounts_json")):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" in _directives(response) and "max-age" in _directives(response)
        assert "no-store" not in _directives(response), url


def test_the_verification_page_is_private_for_someone_signed_in(client, login, officer):
    """Signed in, the page carries the person's menu and a sign-out token: not for a cache."""
    login(officer)
    assert _private(client.get(reverse("verify:page")))


def test_static_files_stay_cacheable(client):
    response = client.get("/static/images/favicon.svg")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
