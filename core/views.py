"""The end of a thin view: call one service, turn its domain error into a message, redirect."""

from django.contrib import messages
from django.shortcuts import redirect

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
