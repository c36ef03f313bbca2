"""The end of a thin view: call one service, turn its domain error into a message, redirect."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError


def run_service(
    request, call, *, success: str, then, errors: tuple[type[Exception], ...] = (DomainError,)
):
    """`call()` runs the service. A domain error (any `DomainError`, or the `errors` given)
    becomes an error message the person can act on; success becomes a success message. Either
    way, redirect to `then`."""
    try:
        call()
    except errors as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(then)


def next_url(request, default: str) -> str:
    """Where a form reached by a detour sends the person back to: the `next` it was opened
    with (a path on this site only), else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
