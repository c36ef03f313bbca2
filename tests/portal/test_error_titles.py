"""Titles start "Error: " on error pages and on forms that came back with errors (GOV.UK)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@override_settings(DEBUG=False)
def test_not_found_and_forbidden_pages_say_error_first(login, officer):
    client = login(officer)
    assert _title(client.get("/no-such-page/")).startswith("Error: Page not found")
    forbidden = client.get(reverse("audit:trail"))
    assert forbidden.status_code == 403
    assert _title(forbidden).startswith("Error: ")


def test_a_form_with_errors_says_error_first_and_one_without_does_not(login, officer):
    client = login(officer)
    assert not _title(client.get(reverse("approvals:create"))).startswith("Error")
    response = client.post(reverse("approvals:create"), {"platform": "x"})
    assert response.status_code == 200
    assert _title(response).startswith("Error: Write a business case")
    assert _title(response).count("Error:") == 1


def test_the_sign_in_form_with_a_wrong_password(client, officer):
    response = client.post(reverse("login"), {"login": officer.user.username, "password": "no"})
    assert _title(response).startswith("Error: ")
