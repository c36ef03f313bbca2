"""Who is calling: a bearer token of a live client (401 otherwise), holding the operation's
scope (403 otherwise). The client acts with its owner's rights: `request.auth` is the client,
`request.user` becomes its owner, so the pages' rules and selectors apply unchanged."""

from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from api.models import Scope
from api.services import api_client_for_token


class ClientToken(HttpBearer):
    """`Authorization: Bearer smp_…` for a client holding `scope`."""

    def __init__(self, scope: Scope):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        client = api_client_for_token(token)
        if client is None:
            return None  # 401
        if self.scope not in client.scopes:
            raise AuthorizationError(message=f"This client lacks the {self.scope} scope.")
        request.user = client.owner
        return client


def scoped(scope: Scope) -> ClientToken:
    return ClientToken(scope)
