#!/usr/bin/env bash
# Starts the whole portal: the web server, and one Celery worker with the beat scheduler
# embedded (-B). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.local}
# Links in e-mails point at the address the portal is served on unless told otherwise.
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://${HOST}:${PORT}}

.venv/bin/celery -A portal worker -B --loglevel=INFO --concurrency=2 \
    --schedule="${PORTAL_VAR_DIR:-var}/celerybeat-schedule" >var/celery.log 2>&1 &
CELERY_PID=$!
stop() { kill -TERM "$CELERY_PID" 2>/dev/null || true; wait "$CELERY_PID" 2>/dev/null || true; }
trap stop EXIT INT TERM
echo "Celery worker and beat started (log: var/celery.log)"
cat <<MSG

  The portal is at http://${HOST}:${PORT}/
  Demo logins (password: ${DEMO_PASSWORD:-demo-portal-2026}):
    officer     an officer (PC Priya Sharma)
    supervisor  her supervisor (PS Dan Hughes)
    press       the press office (Kate Morgan)
    auditor     an auditor (Alan Reid)
    admin       an administrator, with Django admin at /admin/

MSG
$PY manage.py runserver "${HOST}:${PORT}"
