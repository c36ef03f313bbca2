"""How sign-in is configured: django-allauth for every sign-in, local passwords and/or single
sign-on with OpenID Connect (Microsoft Entra ID first, any standard provider). base.py reads the
environment and calls these; the tests call them too, pointed at the local provider they start."""

from urllib.parse import urlsplit


def openid_connect_provider(
    *,
    issuer: str = "",
    client_id: str = "",
    client_secret: str = "",
    provider_id: str = "entra",
    name: str = "Microsoft Entra ID",
    fetch_userinfo: bool = True,
) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS entry for the force's identity provider: no app (so
    no single sign-on) unless an issuer is given. PKCE is always on; the provider class adds a
    nonce and always checks the ID token's signature (people/sso/provider.py)."""
    apps = []
    if issuer:
        apps.append(
            {
                "provider_id": provider_id,
                "name": name,
                "client_id": client_id,
                "secret": client_secret,
                "settings": {
                    # allauth adds /.well-known/openid-configuration unless the URL has it.
                    "server_url": issuer.rstrip("/"),
                    "fetch_userinfo": fetch_userinfo,
                    "oauth_pkce_enabled": True,
                },
            }
        )
    return {
        "openid_connect": {
            "provider_class": "people.sso.provider.ForceOpenIDConnectProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": apps,
        }
    }


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, for the Content Security Policy's form-action: the sign-in
    button posts to the portal, which redirects the browser on to the identity provider."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
