"""Middleware the portal adds to Django's own."""

import logging

import redis.exceptions
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)


def _declared_public(response) -> bool:
    return "public" in response.get("Cache-Control", "").lower()


class PrivatePagesMiddleware:
    """No page or export of the portal is kept by a browser or a proxy: every response carries
    `Cache-Control: private, no-store`, so the back button on a shared terminal, a disk cache or
    a proxy never shows a signed-in page (the register, a case, the audit trail, a CSV file)
    to the next person.

    The one exception is a page that declares itself public (the verification page under
    /verify/, `cache_control(public=True)`), answered to someone not signed in. Static files are
    served by WhiteNoise before this middleware runs and keep their long cache lives."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or not _declared_public(response):
            # `private` replaces a `public` the view set; a `max-age` it set is dropped too.
            if "max-age" in response.get("Cache-Control", ""):
                patch_cache_control(response, max_age=0)
            patch_cache_control(response, private=True, no_store=True)
        return response


class SharedStoreUnavailableMiddleware:
    """The shared cache (Redis, CACHE_URL) is down or hangs: the pages that need it (signing in
    counts wrong passwords there) answer 503 with a page that says so and asks the person to try
    again, instead of a server error. They fail closed: no sign-in goes uncounted. Pages that do
    not use the cache are not affected, and the broker has its own bounds (core/queue.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(
            exception, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError
        ):
            return None
        logger.error("Shared cache unreachable on %s: %s", request.path, type(exception).__name__)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "60"
        return response


class SignInFirstMiddleware:
    """Someone not signed in who opens a page that needs a permission is sent to sign in and
    brought back, as on every other signed-in page, instead of a bare "forbidden": a press-office
    link in a mail, or a bookmarked report, works once they have signed in. A signed-in person
    without the permission still gets 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if not isinstance(exception, PermissionDenied) or user is None or user.is_authenticated:
            return None
        return redirect_to_login(request.get_full_path())
