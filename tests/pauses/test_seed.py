"""The demo force has one suspended account, and seeding again adds no other."""

import io

import pytest
from django.core.management import call_command

from pauses.models import Pause, PauseNotice

pytestmark = pytest.mark.django_db


def test_the_demo_force_has_one_suspended_account_once():
    call_command("seed_demo", stdout=io.StringIO())
    pause = Pause.objects.get()
    assert pause.kind == Pause.Kind.SUSPENSION and pause.is_open
    assert pause.account.kind == "individual" and pause.review_on
    assert PauseNotice.objects.get(pause=pause).officer == pause.account.owner
    call_command("seed_demo", stdout=io.StringIO())
    assert Pause.objects.count() == 1
