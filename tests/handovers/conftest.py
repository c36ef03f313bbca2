import pytest

from people.roles import Role
from tests.factories import CredentialFactory, OfficerFactory, SocialAccountFactory


@pytest.fixture
def successor(team, supervisor):
    return OfficerFactory(
        unit=team, supervisor=supervisor, first_name="Tom", surname="Khan", rank="pc"
    )


@pytest.fixture
def account(officer):
    account = SocialAccountFactory(
        owner=officer, handle="PriyaSharmaWMP", display_name="PC Priya Sharma", followers=1200
    )
    CredentialFactory(account=account)
    return account


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """post(url, data, **kwargs): the test client's POST with the mails sent on commit."""

    def _post(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return _post
