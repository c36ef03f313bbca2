"""Configuration: environment switches and the production settings' deploy check."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings.local';"
    " django.setup();"
)


def _run(code: str, **env):
    full_env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_is_clean(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "portal.example",
            "PORTAL_VAR_DIR": str(tmp_path),
            "CREDENTIAL_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "CACHE_URL": "redis://127.0.0.1:6379/2",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "portal.example",
        "PORTAL_VAR_DIR": str(tmp_path),
        "CREDENTIAL_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    env.pop("CACHE_URL", None)
    for extra in ({}, {"CACHE_URL": "locmem://"}):
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, **extra},
        )
        assert result.returncode != 0
        assert "CACHE_URL" in result.stderr


def test_production_requires_the_forces_own_credential_keys(tmp_path):
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "portal.example",
        "PORTAL_VAR_DIR": str(tmp_path),
        "CACHE_URL": "redis://127.0.0.1:6379/2",
    }
    base_env.pop("CREDENTIAL_KEYS", None)
    for extra in ({}, {"CREDENTIAL_KEYS": "dev:ZGV2LW9ubHktbm90LXNlY3JldC1rZXktMzItYnl0ZXM="}):
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**base_env, **extra},
        )
        assert result.returncode != 0
        assert "CREDENTIAL_KEYS" in result.stderr


def test_production_refuses_the_development_secret(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "ALLOWED_HOSTS": "x",
            "PORTAL_VAR_DIR": str(tmp_path),
        },
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_defaults_are_sqlite_and_a_serverless_broker(tmp_path):
    result = _run(
        SETUP + "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"], result.stderr


def test_environment_switches_to_postgres_and_redis_with_short_timeouts(tmp_path):
    result = _run(
        SETUP + "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS['socket_connect_timeout'],"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS['socket_timeout'],"
        " s.CELERY_BROKER_CONNECTION_TIMEOUT, s.CELERY_BROKER_CONNECTION_MAX_RETRIES)",
        PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "1",
        "1.5",
        "2",
        "None",  # the worker and beat reconnect for as long as the broker is away
    ], result.stderr


def test_single_sign_on_is_configured_from_the_environment(tmp_path):
    result = _run(
        SETUP + "from django.conf import settings as s;"
        "app = s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0];"
        "print(s.SSO_ENABLED, app['provider_id'], app['client_id'], app['settings']['server_url'],"
        " app['settings']['oauth_pkce_enabled'], app['name'],"
        " 'https://login.microsoftonline.com' in s.SECURE_CSP['form-action'], sep='|')",
        PORTAL_VAR_DIR=str(tmp_path),
        OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_CLIENT_ID="client-id",
        OIDC_CLIENT_SECRET="client-secret",
    )
    assert result.stdout.strip().split("|") == [
        "True",
        "entra",
        "client-id",
        "https://login.microsoftonline.com/tenant-id/v2.0",
        "True",
        "Microsoft Entra ID",
        "True",
    ], result.stderr


def test_single_sign_on_is_off_by_default_and_local_passwords_on(tmp_path):
    result = _run(
        SETUP + "from django.conf import settings as s;"
        "print(s.SSO_ENABLED, s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'],"
        " s.LOCAL_PASSWORDS_ENABLED)",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.stdout.split() == ["False", "[]", "True"], result.stderr


def test_half_a_single_sign_on_configuration_is_refused(tmp_path):
    result = _run(SETUP, PORTAL_VAR_DIR=str(tmp_path), OIDC_ISSUER="https://idp.example")
    assert result.returncode != 0
    assert "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together" in result.stderr


def test_local_passwords_cannot_be_switched_off_without_single_sign_on(tmp_path):
    result = _run(SETUP, PORTAL_VAR_DIR=str(tmp_path), LOCAL_PASSWORDS_ENABLED="false")
    assert result.returncode != 0
    assert "LOCAL_PASSWORDS_ENABLED=false needs single sign-on" in result.stderr


def test_production_keeps_database_connections_and_sessions_in_the_database(tmp_path):
    code = (
        "import django, os; django.setup(); from django.conf import settings;"
        " d = settings.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], settings.SESSION_ENGINE)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "portal.example",
        "PORTAL_VAR_DIR": str(tmp_path),
        "CREDENTIAL_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "CACHE_URL": "redis://127.0.0.1:6379/2",
    }
    result = _run(code, **env)
    assert result.returncode == 0, result.stderr
    db = "django.contrib.sessions.backends.db"  # a Redis outage must not reach signed-in pages
    assert result.stdout.split() == ["600", "True", db]
    result = _run(code, **env, DATABASE_CONN_MAX_AGE="0")
    assert result.stdout.split() == ["0", "True", db]


def test_signed_in_pages_work_on_the_embedded_default(tmp_path):
    """`make run` on a bare machine uses SQLite: every signed-in page must work there too (the
    principal query uses a PostgreSQL array where it can, and must not where it cannot)."""
    script = SETUP + (
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client;"
        "from django.contrib.auth import get_user_model;"
        "from people.models import Officer, Unit;"
        "from people.roles import Role, ensure_role_groups;"
        "groups = ensure_role_groups();"
        "force = Unit.objects.create(name='Force', code='f', kind='force');"
        "user = get_user_model().objects.create_user('pc1', 'pc1@police.example', 'x');"
        "user.groups.add(groups[Role.OFFICER]);"
        "Officer.objects.create(user=user, staff_number='1', first_name='A', surname='B',"
        " unit=force);"
        "c = Client(HTTP_HOST='localhost'); c.force_login(user);"
        "print(*(c.get(u).status_code for u in ['/', '/me/', '/register/', '/notifications/']))"
    )
    result = _run(script, PORTAL_VAR_DIR=str(tmp_path))
    assert result.stdout.split() == ["200", "200", "200", "200"], result.stderr[-3000:]


def test_production_compiles_each_template_once(tmp_path):
    """Production keeps compiled templates (Django's cached loader, on because the settings name
    no loaders): a list page is not parsed again on every request."""
    code = (
        "import django; django.setup();"
        "from django.template import engines;"
        "print(engines['django'].engine.loaders[0][0])"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example",
        PORTAL_VAR_DIR=str(tmp_path),
        CREDENTIAL_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        CACHE_URL="redis://127.0.0.1:6379/2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.template.loaders.cached.Loader"


def test_a_retention_period_below_its_floor_refuses_to_start(tmp_path):
    """Six meant as years would anonymise every leaver tonight: the settings refuse it."""
    result = _run(
        SETUP + "print('started')", PORTAL_VAR_DIR=str(tmp_path), RETENTION_LEAVERS_DAYS="6"
    )
    assert result.returncode != 0 and "started" not in result.stdout
    assert "RETENTION_LEAVERS_DAYS=6 is below the minimum of 365 days" in result.stderr
