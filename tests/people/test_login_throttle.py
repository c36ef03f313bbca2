import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _try(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_username_even_with_the_right_one(client, officer):
    username = officer.user.username
    for _ in range(5):
        assert _try(client, username, "wrong").status_code == 200
    response = _try(client, username, PASSWORD)
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_signs_in_and_resets_the_username(client, officer):
    username = officer.user.username
    for _ in range(4):
        _try(client, username, "wrong")
    assert _try(client, username, PASSWORD).status_code == 302
    client.logout()
    # The username's count started again (the address keeps its own count: a valid sign-in
    # must not let one address go on guessing other people's passwords).
    for _ in range(4):
        _try(client, username, "wrong", address="127.0.0.2")
    assert _try(client, username, PASSWORD, address="127.0.0.2").status_code == 302


def test_one_address_guessing_many_usernames_is_locked(client, officer, other_officer):
    for n in range(5):
        _try(client, f"nobody{n}", "wrong")
    response = _try(client, officer.user.username, PASSWORD)
    assert "Too many wrong passwords" in response.content.decode()
