"""Middleware the portal adds to Django's own."""

from django.utils.cache import patch_cache_control


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
