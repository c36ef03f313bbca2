#!/usr/bin/env bash
# Starts the whole portal under supervisord (scripts/supervisord.conf): the web server, one
# Celery worker and the beat scheduler, each restarted if it exits. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.local}
PORTAL_VAR_DIR=${PORTAL_VAR_DIR:-var}
mkdir -p "$PORTAL_VAR_DIR"
export PORTAL_VAR_DIR=$(cd "$PORTAL_VAR_DIR" && pwd)
# Mail links name the address the portal is really served at, unless configured.
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://${HOST}:${PORT}}
cat <<MSG

  The portal is at http://${HOST}:${PORT}/
  Demo logins (password: ${DEMO_PASSWORD:-demo-portal-2026}):
    officer     an officer (PC Priya Sharma)
    supervisor  her supervisor (PS Dan Hughes)
    press       the press office (Kate Morgan; asks for an authenticator code)
    auditor     an auditor (Alan Reid)
    admin       an administrator, with Django admin at /admin/ (asks for a code)
  Worker and beat logs: ${PORTAL_VAR_DIR}/celery-worker.log, celery-beat.log
  Status: scripts/portalctl status   (restart worker, tail -f beat, ...)

MSG
exec .venv/bin/supervisord -c scripts/supervisord.conf
