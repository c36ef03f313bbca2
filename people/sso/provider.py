"""The force's OpenID Connect provider: allauth's generic provider, stricter.

allauth's generic provider sends no nonce and, when the ID token came straight from the token
endpoint, skips its signature (OpenID Connect Core allows that over TLS). The portal checks more:
- a fresh nonce goes with every authorization request and is kept in allauth's per-attempt state;
  `adapters.SocialAccountAdapter` compares it with the ID token's before anyone is matched;
- the ID token's signature is always checked against the provider's published keys (JWKS), with
  asymmetric algorithms only, and it must carry iss, aud, exp, iat and sub (a minute of clock skew
  allowed);
- a userinfo response about a different subject from the ID token's is refused.
PKCE (S256) is switched on in the settings (portal/settings/sso.py)."""

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.utils.crypto import get_random_string

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]
CLOCK_SKEW_SECONDS = 60
NONCE_STATE_KEY = "oidc_nonce"


class ForceOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The identity provider sent no ID token.")
        data = {"id_token": self._decode_id_token(app, id_token)}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if str(userinfo.get("sub")) != str(data["id_token"]["sub"]):
                raise OAuth2Error("The userinfo response is about someone else.")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            key = self._signing_key(id_token)
            return jwt.decode(
                id_token,
                key=key,
                algorithms=ALGORITHMS,
                audience=app.client_id,
                issuer=self.openid_config["issuer"],
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise OAuth2Error(f"The ID token was refused: {exc}") from exc

    def _signing_key(self, id_token: str) -> jwt.PyJWK:
        """The provider's published key that signed `id_token` (by its `kid`)."""
        kid = jwt.get_unverified_header(id_token).get("kid")
        with get_adapter().get_requests_session() as session:
            response = session.get(self.openid_config["jwks_uri"])
            response.raise_for_status()
            keys = [k for k in response.json()["keys"] if k.get("use", "sig") == "sig"]
        matching = [k for k in keys if k.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise OAuth2Error(f"No single published signing key has the ID token's kid {kid!r}.")
        return jwt.PyJWK(matching[0])


class ForceOpenIDConnectProvider(OpenIDConnectProvider):
    # allauth imports `<package>.urls` for a provider's URLs: ours use the adapter above.
    package = "people.sso"
    oauth2_adapter_class = ForceOpenIDConnectAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        # Every keyword left over is kept in allauth's state for this attempt.
        kwargs[NONCE_STATE_KEY] = nonce
        return super().redirect(
            request, process, next_url, data, auth_params={**auth_params, "nonce": nonce}, **kwargs
        )
