"""The page benchmark's server (`make bench`, portal/management/commands/bench_pages.py):
production settings exactly, plus the floor (a bare Django view behind the same middleware) and a
probe that reports, for a request that asks, its SQL queries and its time inside Django.
Never used to serve the portal."""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "portal.bench.urls"
MIDDLEWARE = ["portal.bench.middleware.ProbeMiddleware", *MIDDLEWARE]  # noqa: F405
