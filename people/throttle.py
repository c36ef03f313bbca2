"""Slows down password guessing: after LOGIN_MAX_FAILURES wrong passwords for one username (or
from one address) within LOGIN_LOCKOUT_SECONDS, further attempts are refused until the window
has passed. Counts live in the cache (Redis in production, shared by every web process)."""

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


def is_locked(username: str, address: str) -> bool:
    return any(
        (cache.get(key) or 0) >= settings.LOGIN_MAX_FAILURES for key in _keys(username, address)
    )


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


LOCKED_MESSAGE = (
    "Too many wrong passwords. Wait 15 minutes and try again, or ask the service desk to "
    "reset your password."
)
