# Production-like image: gunicorn serving the portal, the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/build-assets.mjs scripts/
COPY static/src static/src
RUN node scripts/build-assets.mjs

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production PORTAL_VAR_DIR=/var/lib/portal
WORKDIR /app
RUN useradd --system --home /app --uid 10001 portal && mkdir -p /var/lib/portal \
    && chown portal /var/lib/portal
COPY . .
RUN pip install --no-cache-dir .
COPY --from=assets /build/static/dist static/dist
# collectstatic loads the production settings; throwaway values satisfy their checks at build
# time and are not kept in the image (the real ones come from the environment at run time).
RUN SECRET_KEY=build-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    CREDENTIAL_KEYS=build:$(head -c 32 /dev/urandom | base64) \
    ALLOWED_HOSTS=build CACHE_URL=redis://build:6379/0 python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
