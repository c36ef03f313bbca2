"""Each new rule over its cases: owner, their supervisor, another officer, press office, auditor."""

import pytest

from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["officer", "supervisor", "other_officer", "press_officer", "auditor"]

EXPECTED = {
    #                                 owner  superv other  press  auditor
    "custody.lodge_credential": (True, False, False, True, False),
    "custody.rotate_credential": (False, False, False, True, False),
    "custody.reveal_credential": (False, False, False, True, False),
    "accounts.check_in_socialaccount": (True, False, False, True, False),
    "accounts.view_socialaccount": (True, True, False, True, True),
}
GLOBAL = {
    "custody.list_credentials_needed": (False, False, False, True, False),
    "accounts.import_socialaccounts": (False, False, False, True, False),
    "accounts.import_activity": (False, False, False, True, False),
    "accounts.register_socialaccount": (False, False, False, True, False),
    "accounts.export_socialaccounts": (True, True, True, True, True),
    "accounts.list_socialaccounts": (True, True, True, True, True),
}


@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_object_rules(request, perm, officer):
    account = SocialAccountFactory(owner=officer)
    got = tuple(request.getfixturevalue(p).user.has_perm(perm, account) for p in PEOPLE)
    assert got == EXPECTED[perm]


@pytest.mark.parametrize("perm", sorted(GLOBAL))
def test_global_rules(request, perm):
    got = tuple(request.getfixturevalue(p).user.has_perm(perm) for p in PEOPLE)
    assert got == GLOBAL[perm]
