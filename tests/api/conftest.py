import datetime

import pytest
from django.utils import timezone

from api.models import Scope
from api.services import api_client_create
from people.roles import Role
from tests.factories import OfficerFactory


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def make_client(administrator):
    """make_client(owner, scopes) -> (client, token): created as the administrator would."""

    def _make(owner, scopes=tuple(Scope.values), *, days=30, name="Integration"):
        return api_client_create(
            actor=administrator.user,
            name=name,
            owner=getattr(owner, "user", owner),
            scopes=list(scopes),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )

    return _make


@pytest.fixture
def call(client):
    """call(token, method, path, json=None, **headers) -> response, with the bearer token."""

    def _call(token, method, path, json=None, **headers):
        kwargs = {"content_type": "application/json"} if json is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return getattr(client, method)(f"/api/v1{path}", json, headers=headers, **kwargs)

    return _call
