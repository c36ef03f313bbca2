"""docker-compose.yml, read as data (no Docker engine runs where the tests do): the production
stack restarts whatever exits and checks that its web server and worker answer."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_every_service_is_restarted_if_it_exits():
    services = _services()
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert {name: s.get("restart") for name, s in services.items()} == dict.fromkeys(
        services, "unless-stopped"
    )


def test_worker_and_web_are_health_checked_and_use_the_shared_redis():
    services = _services()
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["CACHE_URL"].startswith("redis://redis:6379/")
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
