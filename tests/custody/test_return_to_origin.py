"""Lodging login details is a detour: the person goes back to the page they came from (a case,
a handover, an incident), never to another site."""

import pytest
from django.urls import reverse

from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

DETAILS = {"login": "team@police.example", "password": "Str0ng-and-unique-pass"}


@pytest.fixture
def account(officer):
    return SocialAccountFactory(owner=officer, handle="PriyaSharmaWMP")


def test_lodging_returns_to_the_page_it_was_opened_from(account, press_officer, login):
    client = login(press_officer)
    origin = "/incidents/7/"
    url = reverse("custody:lodge", args=[account.pk]) + f"?next={origin}"
    page = client.get(url).content.decode()
    assert f'href="{origin}"' in page  # the back link
    assert 'action="' + url.replace("&", "&amp;") + '"' in page
    response = client.post(url, DETAILS)
    assert response.status_code == 302
    assert response.url == origin


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_next_to_another_site_is_ignored(account, press_officer, login, evil):
    client = login(press_officer)
    url = reverse("custody:lodge", args=[account.pk])
    response = client.post(f"{url}?next={evil}", DETAILS)
    assert response.status_code == 302
    assert response.url == reverse("accounts:detail", args=[account.pk])


def test_without_next_lodging_goes_to_the_account(account, press_officer, login):
    response = login(press_officer).post(reverse("custody:lodge", args=[account.pk]), DETAILS)
    assert response.url == reverse("accounts:detail", args=[account.pk])
