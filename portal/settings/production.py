"""Production: DEBUG off, secrets and hosts required from the environment, every browser
protection on. `SECRET_KEY=... ALLOWED_HOSTS=... manage.py check --deploy` is clean."""

import os

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if "dev-only" in SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the portal's host names.")

CREDENTIAL_KEYS = env_str("CREDENTIAL_KEYS")
if CREDENTIAL_KEYS == DEV_CREDENTIAL_KEYS or CREDENTIAL_KEYS.startswith("dev:"):  # noqa: F405
    raise ImproperlyConfigured("CREDENTIAL_KEYS must hold the force's own keys in production.")

# Sign-in throttling counts, sessions' companions and rate limits must be shared by every web
# process: a per-process cache lets each gunicorn worker count its own failures.
if not env_str("CACHE_URL", "").startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "Set CACHE_URL to the shared Redis cache (redis://...): sign-in throttling needs one."
    )

# Persistent database connections: each gunicorn worker keeps its connection between requests
# (opening one costs more than most pages' queries), checked before reuse after an error.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# Sessions stay in the database alone (not cached_db): the shared Redis is then needed only to
# sign in, and people already signed in work on while it is down or hangs (issue 14). A cached
# session would save one indexed query a page and cost a cache timeout on every page instead.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # links allauth builds (the SSO redirect URI) use https

MAILERS = {"default": SMTP_MAILER}  # noqa: F405  (never the console in production)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

if CHAT_WEBHOOK_ALLOW_HTTP:  # noqa: F405
    raise ImproperlyConfigured(
        "CHAT_WEBHOOK_ALLOW_HTTP is for a local test server, never production."
    )
