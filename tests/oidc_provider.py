"""A small OpenID Connect provider for the tests: an http.server on 127.0.0.1 (a free port) in a
thread, never the real network.

It serves what the portal's single sign-on uses: discovery (/.well-known/openid-configuration),
its signing keys (/jwks), an authorization endpoint that records the request (state, nonce, the
PKCE code_challenge) and sends the browser straight back with a code, a token endpoint that checks
the client's secret, the code, the redirect URI and the PKCE code_verifier and returns an ID token
signed RS256 with a key generated here, and userinfo.

A test says who signs in next (`claims`) and how the provider misbehaves: `id_token_changes`
overrides ID token claims (a wrong audience, an expiry in the past, a forged nonce),
`sign_with` signs with another key (a bad signature) and `userinfo_changes` alters userinfo."""

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LocalOIDCProvider:
    def __init__(self, *, client_id="portal-test-client", client_secret="test-secret"):  # noqa: S107
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = new_rsa_key()
        self.kid = "local-test-key"
        self.issuer = ""
        self._server = None
        self._thread = None
        self.reset()

    # What the test controls and reads --------------------------------------------------------

    def reset(self):
        self.claims = {}  # who signs in next: at least sub; email, employeeid, name...
        self.id_token_changes = {}
        self.userinfo_changes = {}
        self.sign_with = None  # another private key: the ID token's signature will not verify
        self.authorizations = []  # the query of each authorization request
        self.token_requests = []  # each token request's form, and what the provider answered
        self._codes = {}
        self._access_tokens = {}

    def send_browser(self, url: str) -> str:
        """Be the browser at the authorization endpoint: request `url` and return where the
        provider redirects it (the portal's callback URL)."""
        assert url.startswith(self.issuer + "/"), url
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
        try:
            opener.open(url, timeout=5)
        except urllib.error.HTTPError as response:
            if response.code == 302:
                return response.headers["Location"]
            raise
        raise AssertionError("the authorization endpoint did not redirect")

    # Running -----------------------------------------------------------------------------------

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # The protocol ------------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict) -> tuple[int, dict, dict]:
        self.authorizations.append(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"),
            "code_challenge_method": query.get("code_challenge_method"),
            "claims": dict(self.claims),
        }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(params)}"}, {}

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        status, body = self._token(form, authorization)
        self.token_requests.append({"form": form, "status": status, "body": body})
        return status, body

    def _token(self, form: dict, authorization: str) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown code"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            if (
                grant["code_challenge_method"] != "S256"
                or pkce_challenge(verifier) != grant["code_challenge"]
            ):
                return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        now = int(time.time())
        claims = grant["claims"]
        id_token = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            **({"nonce": grant["nonce"]} if grant["nonce"] else {}),
            **claims,
            **self.id_token_changes,
        }
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = claims
        signed = jwt.encode(
            id_token, self.sign_with or self.key, algorithm="RS256", headers={"kid": self.kid}
        )
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": signed,
        }

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        claims = self._access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, {"error": "invalid_token"}
        keep = {"sub", "email", "name", "given_name", "family_name", "preferred_username"}
        return 200, {**{k: v for k, v in claims.items() if k in keep}, **self.userinfo_changes}

    def _handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status, body=None, headers=None):
                payload = json.dumps(body or {}).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/jwks":
                    self._send(200, provider.jwks())
                elif url.path == "/authorize":
                    status, headers, body = provider.authorize(query)
                    self._send(status, body, headers)
                elif url.path == "/userinfo":
                    self._send(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if urlsplit(self.path).path == "/token":
                    self._send(*provider.token(form, self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
