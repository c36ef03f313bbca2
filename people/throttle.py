"""Slows password guessing without handing anyone a way to lock the force out.

- **A username and an address together are locked**: after LOGIN_MAX_FAILURES wrong passwords
  for one username from one address within LOGIN_LOCKOUT_SECONDS, that pair is refused until the
  window has passed. The person can still sign in from another address, and a guesser elsewhere
  cannot lock them out.
- **An address alone is only slowed, never locked**: behind the force's proxy or NAT everyone
  shares one address. After LOGIN_ADDRESS_SLOW_AFTER wrong passwords from one address within
  the window, each further attempt from it waits LOGIN_ADDRESS_DELAY_SECONDS after the last
  failure: a guesser spraying many usernames gets a few guesses a minute, and a colleague behind
  the same address waits a few seconds at worst.
- **Unknown usernames count exactly like known ones**, so neither the answer nor the lock says
  whether a login exists (and allauth's and Django's backends hash the password either way, so
  the time taken does not say it either).

The address is allauth's idea of the client's address (REMOTE_ADDR, or the X-Forwarded-For
entry named by ALLAUTH_TRUSTED_PROXY_COUNT behind the force's proxy). Counts live in the shared
cache (Redis in production, shared by every web process)."""

import hashlib
import math
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

LOCKED_MESSAGE = (
    "Too many wrong passwords. Wait 15 minutes and try again, or ask the service desk to "
    "reset your password."
)
SLOW_MESSAGE = (
    "There have been many wrong passwords from your network. Wait {seconds} seconds, then "
    "try again."
)


def client_address(request) -> str:
    """The address the counts are kept against ("" without a request)."""
    if request is None:
        return ""
    from allauth.account.adapter import get_adapter

    return get_adapter(request).get_client_ip(request)


def _pair_key(username: str, address: str) -> str:
    pair = f"{username.strip().lower()}\n{address}".encode()
    return f"login-fail:pair:{hashlib.sha256(pair).hexdigest()}"


def _address_key(address: str) -> str:
    return f"login-fail:addr:{address}"


def _slow_key(address: str) -> str:
    return f"login-slow:addr:{address}"


def _count(key: str) -> int:
    if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        return 1


class Counted(NamedTuple):
    """What one more failure did: `locked` the pair, or started `slowing` the address (each is
    true once, at the failure that reached the limit)."""

    locked: bool = False
    slowing: bool = False


def is_locked(username: str, address: str) -> bool:
    """This username from this address has had LOGIN_MAX_FAILURES wrong passwords lately."""
    return (cache.get(_pair_key(username, address)) or 0) >= settings.LOGIN_MAX_FAILURES


def wait_seconds(address: str) -> int:
    """How long this address must still wait before its next attempt (0: go ahead)."""
    if not address:
        return 0
    until = cache.get(_slow_key(address))
    return max(0, math.ceil(until - time.time())) if until else 0


def record_failure(username: str, address: str) -> Counted:
    locked = _count(_pair_key(username, address)) == settings.LOGIN_MAX_FAILURES
    if not address:
        return Counted(locked=locked)
    from_address = _count(_address_key(address))
    if from_address >= settings.LOGIN_ADDRESS_SLOW_AFTER:
        delay = settings.LOGIN_ADDRESS_DELAY_SECONDS
        cache.set(_slow_key(address), time.time() + delay, delay)
    return Counted(locked=locked, slowing=from_address == settings.LOGIN_ADDRESS_SLOW_AFTER)


def clear(username: str, address: str) -> None:
    """A right password starts this pair's count again. The address keeps its own count: one
    valid sign-in must not let an address go on guessing other people's passwords."""
    cache.delete(_pair_key(username, address))
