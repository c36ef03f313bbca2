"""Settings shared by every environment. Everything that differs between machines comes from
the environment (see .env.example); the defaults run the whole portal with nothing installed:
SQLite under var/ and a Celery broker on the filesystem."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import env_bool, env_int, env_list, env_str
from portal.settings.sso import openid_connect_provider, origin

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

FORCE_NAME = env_str("FORCE_NAME", "West Midlands Police")
FORCE_HANDLE_SUFFIX = env_str("FORCE_HANDLE_SUFFIX", "WMP")
PORTAL_NAME = "Social media accounts"
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "portal",
    "audit",
    "notifications",
    "people",
    "accounts",
    "pauses",
    "approvals",
    "reminders",
    "custody",
    "verify",
    "incidents",
    "handovers",
    "reports",
    "privacy",
    "api",
    "ninja",  # the API's interactive docs (its templates and static files)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.PrivatePagesMiddleware",  # Cache-Control: private, no-store
    "portal.middleware.SharedStoreUnavailableMiddleware",  # cache down: 503, not 500
    "portal.middleware.SignInFirstMiddleware",  # not signed in + 403: sign in, then back
    "django.contrib.messages.middleware.MessageMiddleware",
    "people.middleware.SecondFactorRequiredMiddleware",
    "people.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time, and wait for it rather than failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # The press-office queue's covering index (INCLUDE columns) is a PostgreSQL speed-up; on the
    # embedded default SQLite keeps the key columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL"),
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
        if env_str("CACHE_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The page cache (core/page_cache.py): the same Redis, or PAGE_CACHE_URL's (one with a
    # maxmemory and no persistence, say), with timeouts short enough that a hanging Redis costs
    # a page a quarter of a second once, then nothing while it is skipped.
    "pages": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("PAGE_CACHE_URL", "") or env_str("CACHE_URL"),
            "KEY_PREFIX": "pages",
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
        if env_str("PAGE_CACHE_URL", "") or env_str("CACHE_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}
    ),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's, loading the person's roles and officer record with them (people/backends.py).
    # A session signed in through allauth's own path before it came is signed out once.
    "people.backends.PortalBackend",
    "django.contrib.auth.backends.ModelBackend",  # sessions signed in before allauth came
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one shift
SESSION_COOKIE_HTTPONLY = True
# Password guessing (people/throttle.py): a username from one address is locked after
# LOGIN_MAX_FAILURES wrong passwords within LOGIN_LOCKOUT_SECONDS; an address alone is never
# locked, only slowed (LOGIN_ADDRESS_DELAY_SECONDS between attempts) after
# LOGIN_ADDRESS_SLOW_AFTER wrong passwords in the same window.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_ADDRESS_SLOW_AFTER = env_int("LOGIN_ADDRESS_SLOW_AFTER", 20)
LOGIN_ADDRESS_DELAY_SECONDS = env_int("LOGIN_ADDRESS_DELAY_SECONDS", 5)
# Behind the force's reverse proxy, the number of proxies that append to X-Forwarded-For: the
# client's own address is then read from there (allauth's rate limits and the throttle above).
# 0 (the default) uses REMOTE_ADDR; never set it higher than the proxies really in front.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in. Every sign-in goes through django-allauth's login flow at /login/: a local password
# (people/forms_auth.py, with the throttle in people/throttle.py) or single sign-on with the
# force's OpenID Connect provider (people/sso/). Nobody creates an account by signing in: people
# are matched to the officer records the portal already holds, by e-mail or staff number.
ACCOUNT_ADAPTER = "people.sso.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "people.sso.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_FORMS = {"login": "people.forms_auth.ThrottledLoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "none"  # administrators keep officers' e-mail addresses
ACCOUNT_SESSION_REMEMBER = True  # one shift (SESSION_COOKIE_AGE), as before allauth
# Wrong passwords are counted by people/throttle.py (LOGIN_MAX_FAILURES); allauth's own count
# of failed logins would be a second lock with other numbers and other words.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
# Re-authentication (allauth's, before changing a second factor) stays fresh as long as custody's.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTH_MAX_AGE", 5 * 60)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # people/sso/adapters.py does the matching
SOCIALACCOUNT_STORE_TOKENS = False  # the portal calls no API of the identity provider
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("OIDC_TIMEOUT", 10)

# Second factor (allauth.mfa; people/mfa.py): an authenticator app's 6-digit codes (TOTP) with
# recovery codes. Required of the press office and administrators (people/middleware.py),
# optional for everyone else. WebAuthn passkeys are left off: allauth's passkey pages need its
# own scripts, which the portal's Content Security Policy and templates do not carry yet.
MFA_ADAPTER = "people.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "people.forms_mfa.AuthenticateForm",
    "reauthenticate": "people.forms_mfa.ReauthenticateForm",
    "activate_totp": "people.forms_mfa.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", f"{FORCE_NAME} social media portal")
MFA_TOTP_TOLERANCE = 1  # the code before and after the current one: phones' clocks drift
MFA_TOTP_PERIOD = 30  # seconds each code lasts (allauth's default, RFC 6238)
MFA_ALLOW_UNVERIFIED_EMAIL = True  # administrators keep officers' e-mail addresses
# Each signed-in session is a row of allauth.usersessions (address, browser, last seen): a person
# sees and ends their own (/people/sessions/), an administrator ends all of a person's, and a
# leaver's end. people.middleware.SessionActivityMiddleware keeps "last seen" to the minute
# (allauth's own tracking, USERSESSIONS_TRACK_ACTIVITY, would write on every request).
USERSESSIONS_TRACK_ACTIVITY = False

# Single sign-on (OpenID Connect; see the README, "Single sign-on (Microsoft Entra ID)"). Off
# unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set.
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "entra")  # in the redirect URI's path
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Microsoft Entra ID")
OIDC_STAFF_NUMBER_CLAIM = env_str("OIDC_STAFF_NUMBER_CLAIM", "employeeid")
_oidc = [OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET]
if any(_oidc) and not all(_oidc):
    raise ImproperlyConfigured(
        "Single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together."
    )
SSO_ENABLED = all(_oidc)
SOCIALACCOUNT_PROVIDERS = openid_connect_provider(
    issuer=OIDC_ISSUER,
    client_id=OIDC_CLIENT_ID,
    client_secret=OIDC_CLIENT_SECRET,
    provider_id=OIDC_PROVIDER_ID,
    name=OIDC_PROVIDER_NAME,
    fetch_userinfo=env_bool("OIDC_FETCH_USERINFO", True),
)
# Local passwords: on for the demo and until single sign-on is trusted. Switched off, only the
# break-glass administrators named here may sign in with a password (at /login/?break-glass).
LOCAL_PASSWORDS_ENABLED = env_bool("LOCAL_PASSWORDS_ENABLED", True)
BREAK_GLASS_USERNAMES = env_list("BREAK_GLASS_USERNAMES")
if not LOCAL_PASSWORDS_ENABLED and not SSO_ENABLED:
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS_ENABLED=false needs single sign-on: set OIDC_ISSUER, OIDC_CLIENT_ID and "
        "OIDC_CLIENT_SECRET."
    )
# Whom a person refused at sign-in should contact, in words that finish "Contact ...".
SERVICE_DESK_CONTACT = env_str("SERVICE_DESK_CONTACT", "the IT service desk")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # serve straight from static/ until collectstatic has run
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Content Security Policy (Django's built-in middleware): nothing from outside the portal.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # The single sign-on button posts to the portal, which sends the browser on to the provider.
    "form-action": [CSP.SELF, *([origin(OIDC_ISSUER)] if SSO_ENABLED else [])],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Mail (Django 6.1 mailers): printed to the console unless MAIL_BACKEND=smtp.
_mail_backend = env_str("MAIL_BACKEND", "console")
SMTP_MAILER = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {
        "host": env_str("SMTP_HOST", "localhost"),
        "port": env_int("SMTP_PORT", 25),
        "username": env_str("SMTP_USERNAME", ""),
        "password": env_str("SMTP_PASSWORD", ""),
        "use_tls": env_bool("SMTP_USE_TLS", False),
        "timeout": 10,
    },
}
MAILERS = {
    "default": SMTP_MAILER
    if _mail_backend == "smtp"
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "social-media-portal@localhost")
PRESS_OFFICE_EMAIL = env_str("PRESS_OFFICE_EMAIL", "press-office@localhost")

# Celery. Default: a broker on the filesystem under var/, which needs no server.
# CELERY_BROKER_URL=redis://... switches to Redis, with short timeouts so that a hung broker
# can never freeze a web request.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
# Bounded waits on a networked broker: a hung Redis costs a request at most 1.5 s, once per
# process, before the circuit breaker in core.queue stops publishing for a while. The socket
# timeout stays above the worker's 1 s BRPOP poll.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1.5,
    "socket_connect_timeout": 1,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "visibility_timeout": 3600,
}
if CELERY_BROKER_URL.startswith("filesystem"):
    _celery_dir = VAR_DIR / "celery"
    for sub in ("queue", "processed", "control"):
        (_celery_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The worker and beat reconnect for as long as the broker is away (None: no limit), waiting
# 2, 4, 6 ... at most 30 s between tries (kombu's back-off), and carry on by themselves when it
# is back. Web requests never use this: they publish under the transport options and retry
# policy above and below, and the circuit breaker in core.queue.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# The result store (Redis in production) is only read by tests and operators' tools: portal
# code never asks for a result (core.queue publishes with ignore_result). Bounded like the broker
# instead of Celery's default of 20 reconnection tries a second apart.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
# After a failed publish, this process skips the broker for this many seconds (core.queue).
BROKER_BREAKER_RESET_SECONDS = env_int("BROKER_BREAKER_RESET_SECONDS", 30)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic task is declared here and nowhere else.
# The whole-page cache (core/page_cache.py): how long a page is kept at most, and the time bucket
# in its key (what changes with the clock alone is at most this old). 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)

HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60)  # /health/ is red after three missed
HEALTH_WORKER_PING_SECONDS = float(env_str("HEALTH_WORKER_PING_SECONDS", "1.5"))
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.heartbeat", "schedule": float(HEARTBEAT_SECONDS)},
    "deliver-pending-mail": {"task": "notifications.tasks.deliver_pending", "schedule": 300.0},
    "deliver-pending-reminders": {"task": "reminders.deliver_pending", "schedule": 600.0},
    "dormancy-scan-daily": {
        "task": "reminders.dormancy_scan",
        "schedule": crontab(hour=6, minute=30),
    },
    "decision-reminders-hourly": {
        "task": "reminders.decision_reminders",
        "schedule": crontab(minute=15),
    },
    "recertification-daily": {
        "task": "reminders.recertification_run",
        "schedule": crontab(hour=6, minute=45),
    },
    "training-expiry-daily": {
        "task": "people.training_expiry_remind",
        "schedule": crontab(hour=7, minute=0),
    },
    "orphan-check-nightly": {
        "task": "reminders.orphan_check",
        "schedule": crontab(hour=2, minute=0),
    },
    "weekly-summaries": {  # once a week per person even if it runs twice (reports/services.py)
        "task": "reports.weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    "poll-platform-activity": {
        "task": "accounts.tasks.poll_platform_activity",
        "schedule": 6 * 60 * 60.0,
    },
    "retention-nightly": {"task": "privacy.retention_run", "schedule": crontab(hour=3, minute=15)},
    # Accounts on a platform the portal cannot read: the owner is asked once a month (daily run,
    # one Reminder row per account per month).
    # Suspensions whose review date has come: the press office is reminded once (pauses app).
    "suspension-review-daily": {
        "task": "pauses.suspension_review",
        "schedule": crontab(hour=7, minute=5),
    },
    "check-in-monthly": {
        "task": "reminders.check_in_monthly",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Data protection: days each kind of record is kept before the nightly job removes or
# anonymises it (privacy/retention.py says what each kind is, what happens and why this long;
# administrators see the table at /privacy/retention/). RETENTION_<KIND>_DAYS overrides one.
RETENTION_DEFAULT_DAYS = {
    "closed_cases": 730,
    "notifications": 365,
    "reminders": 730,
    "sign_in_events": 365,
    "import_files": 90,
    "credential_metadata": 6 * 365,
    "leavers": 6 * 365,
    "audit_detail": 6 * 365,
    "api_replies": 30,
}
RETENTION_DAYS = {
    kind: env_int(f"RETENTION_{kind.upper()}_DAYS", days)
    for kind, days in RETENTION_DEFAULT_DAYS.items()
}
# What the job does cannot be undone: a period set below these (say 6 meant as years) refuses to
# start rather than anonymise leavers or redact the trail tonight.
RETENTION_MINIMUM_DAYS = {"leavers": 365, "audit_detail": 365, "sign_in_events": 183}
for _kind, _days in RETENTION_DAYS.items():
    if _days < RETENTION_MINIMUM_DAYS.get(_kind, 7):
        raise ImproperlyConfigured(
            f"RETENTION_{_kind.upper()}_DAYS={_days} is below the minimum of"
            f" {RETENTION_MINIMUM_DAYS.get(_kind, 7)} days for what it deletes or anonymises."
        )
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500)  # records per transaction

# Credential custody: AES-256-GCM key ring, "kid:base64key,..." with the current key first.
# The default is a fixed, published development key so that `make run` works; it protects
# nothing, and production settings refuse it.
DEV_CREDENTIAL_KEYS = "dev:ZGV2LW9ubHktbm90LXNlY3JldC1rZXktMzItYnl0ZXM="
CREDENTIAL_KEYS = env_str("CREDENTIAL_KEYS", DEV_CREDENTIAL_KEYS)
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 5 * 60)  # seconds a re-entered password stays fresh
# Lodged passwords must score at least this with zxcvbn (0 guessable … 4 very unguessable);
# 3 means "safely unguessable: moderate protection from an offline attack".
CREDENTIAL_MIN_SCORE = env_int("CREDENTIAL_MIN_SCORE", 3)

# Platform adapters (activity and public profile, accounts/platforms.py). An adapter without its
# credentials is not run, and its accounts' owners are asked to check in monthly instead.
X_API_BASE_URL = env_str("X_API_BASE_URL", "https://api.x.com")
X_API_BEARER_TOKEN = env_str("X_API_BEARER_TOKEN", "")
X_API_TIMEOUT = env_int("X_API_TIMEOUT", 10)
GRAPH_API_BASE_URL = env_str("GRAPH_API_BASE_URL", "https://graph.facebook.com")
GRAPH_API_VERSION = env_str("GRAPH_API_VERSION", "v21.0")
FACEBOOK_ACCESS_TOKEN = env_str("FACEBOOK_ACCESS_TOKEN", "")  # a Page or system-user token
INSTAGRAM_ACCESS_TOKEN = env_str("INSTAGRAM_ACCESS_TOKEN", "")
# The force's own Instagram business account: other accounts are read by Business Discovery.
INSTAGRAM_BUSINESS_ACCOUNT_ID = env_str("INSTAGRAM_BUSINESS_ACCOUNT_ID", "")
YOUTUBE_API_BASE_URL = env_str("YOUTUBE_API_BASE_URL", "https://www.googleapis.com")
YOUTUBE_API_KEY = env_str("YOUTUBE_API_KEY", "")
PLATFORM_API_TIMEOUT = env_int("PLATFORM_API_TIMEOUT", 10)  # seconds, every adapter but X's
PLATFORM_API_MAX_PAGES = env_int("PLATFORM_API_MAX_PAGES", 3)  # pages of recent posts read
PLATFORM_POLL_BATCH = env_int("PLATFORM_POLL_BATCH", 25)  # accounts per poll task
PLATFORM_POLL_HOURS = env_int("PLATFORM_POLL_HOURS", 6)  # one observation per account per slot

# Public profile checks (accounts/profile_checks.py), each a comma-separated list of phrases
# matched without regard to case: the bio must say crime is not reported here and give the
# force's reporting route; the display name must carry one of the markers; the profile link
# must point to the force's website (or a page under it).
FORCE_WEBSITE = env_str("FORCE_WEBSITE", "https://www.west-midlands.police.uk")
PROFILE_NOT_FOR_CRIME_PHRASES = env_list(
    "PROFILE_NOT_FOR_CRIME_PHRASES",
    "not monitored 24/7,not monitored 24 hours,do not report crime,don't report crime,"
    "cannot accept reports of crime,not for reporting crime,not to report crime",
)
PROFILE_REPORTING_ROUTE_PHRASES = env_list(
    "PROFILE_REPORTING_ROUTE_PHRASES",
    "0345 113 5000,101,999,west-midlands.police.uk/contact-us",
)
PROFILE_DISPLAY_NAME_MARKERS = env_list(
    "PROFILE_DISPLAY_NAME_MARKERS", f"{FORCE_HANDLE_SUFFIX},{FORCE_NAME},Police"
)

# Chat notifications (notifications/chat.py): the portal posts only to these hosts (and their
# subdomains), over HTTPS: Teams incoming webhooks and Teams Workflows (Power Automate).
CHAT_WEBHOOK_HOSTS = env_list(
    "CHAT_WEBHOOK_HOSTS",
    "webhook.office.com,logic.azure.com,api.powerplatform.com,api.powerautomate.com",
)
CHAT_WEBHOOK_ALLOW_HTTP = env_bool("CHAT_WEBHOOK_ALLOW_HTTP", False)  # a local test server only
CHAT_WEBHOOK_TIMEOUT = env_int("CHAT_WEBHOOK_TIMEOUT", 10)

# Lifecycle thresholds (days).
DORMANT_WARN_AFTER = env_int("DORMANT_WARN_AFTER", 14)
DORMANT_AFTER = env_int("DORMANT_AFTER", 28)
STALE_AFTER = env_int("STALE_AFTER", 56)
# Consolidation proposals (handovers/selectors.py): an active individual or team account quiet
# for CONSOLIDATION_QUIET_DAYS with at most CONSOLIDATION_FEW_FOLLOWERS followers, whose unit (or
# a unit above it) has an active, non-dormant team, unit or central account on the same platform.
CONSOLIDATION_QUIET_DAYS = env_int("CONSOLIDATION_QUIET_DAYS", 90)
CONSOLIDATION_FEW_FOLLOWERS = env_int("CONSOLIDATION_FEW_FOLLOWERS", 500)
REMINDER_DELIVERY_PAUSE = float(env_str("REMINDER_DELIVERY_PAUSE", "0"))
# A case waiting this many working days reminds its decider; twice as long escalates.
DECISION_SLA_WORKING_DAYS = env_int("DECISION_SLA_WORKING_DAYS", 3)
PRESS_OFFICE_MANAGER_EMAIL = env_str("PRESS_OFFICE_MANAGER_EMAIL", "") or None
# Re-certification: yearly, the owner asked this many days before it is due.
RECERT_INTERVAL_DAYS = env_int("RECERT_INTERVAL_DAYS", 365)
RECERT_NOTICE_DAYS = env_int("RECERT_NOTICE_DAYS", 30)
# The force's social media training: a supervisor approves a business case only while the
# applicant's completion is in date; it lasts TRAINING_VALID_DAYS unless the record says when
# it expires, and its holder is told once, TRAINING_NOTICE_DAYS before it does.
TRAINING_COURSE = env_str("TRAINING_COURSE", "Social media training")
TRAINING_VALID_DAYS = env_int("TRAINING_VALID_DAYS", 2 * 365)
TRAINING_NOTICE_DAYS = env_int("TRAINING_NOTICE_DAYS", 30)
# Working days skip weekends, the bank holidays of this nation (the `holidays` package; England's
# are also Wales's) and the force's own closure days (FORCE_CLOSURE_DAYS=YYYY-MM-DD,...).
WORKING_DAYS_COUNTRY = env_str("WORKING_DAYS_COUNTRY", "GB")
WORKING_DAYS_SUBDIVISION = env_str("WORKING_DAYS_SUBDIVISION", "ENG")
FORCE_CLOSURE_DAYS = env_list("FORCE_CLOSURE_DAYS")
# CSV imports are read and written this many rows at a time, all inside one transaction.
IMPORT_BATCH_SIZE = env_int("IMPORT_BATCH_SIZE", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # urllib3 writes each request's path at DEBUG: a chat webhook's path is its secret.
        "urllib3": {"level": "WARNING"},
        # httpx logs every request URL at INFO: the adapters keep credentials out of URLs, and
        # this keeps request lines out of the log anyway.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
