"""The guidance's password rule, checked when login details are lodged: strong, and not made of
the owner's name, collar number, team or unit. Scored by zxcvbn (Dropbox's estimator, which knows
common passwords, keyboard patterns, dates and l33t substitutions) with the account's own words
added to its dictionary. Only the submitted value is scored; nothing here stores or logs it, and
no message repeats any part of it."""

import re

from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from zxcvbn import zxcvbn

# zxcvbn ignores everything after its first 100 characters; a longer password is judged on those.
_SCORED_LENGTH = 100


def words_to_avoid(account) -> list[str]:
    """Names, numbers and places an attacker would try first for this account."""
    owner = account.owner
    words = [
        owner.first_name,
        owner.surname,
        owner.staff_number,
        account.handle,
        account.display_name,
        settings.FORCE_HANDLE_SUFFIX,
    ]
    # The staff number's digits alone (PS2231 → 2231) are as guessable as the number.
    words += re.findall(r"\d{3,}", owner.staff_number)
    for unit in _units_up(owner.unit, account.unit):
        words += [unit.name, unit.code, *unit.name.split()]
    return sorted({w.strip().lower() for w in words if w and len(w.strip()) >= 3})


def _units_up(*units):
    seen = set()
    for unit in units:
        while unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            yield unit
            unit = unit.parent


@sensitive_variables("password", "result")
def weakness(password: str, *, account) -> str | None:
    """Why this password is too weak for an official account, or None when it is strong enough:
    zxcvbn's score at least CREDENTIAL_MIN_SCORE (0–4) and none of the account's own words in
    it (zxcvbn finds them in any case, reversed or with l33t substitutions)."""
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=words_to_avoid(account))
    personal = any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"])
    if result["score"] >= settings.CREDENTIAL_MIN_SCORE and not personal:
        return None
    if personal:  # refused whatever the score: the guidance names these words
        reason = (
            "it contains the owner's name, staff number, the handle, team or unit, "
            "which anyone can find out"
        )
    else:
        warning = (result["feedback"].get("warning") or "").rstrip(".")
        reason = warning[:1].lower() + warning[1:] if warning else "it would be guessed quickly"
    suggestions = " ".join(result["feedback"].get("suggestions") or [])
    advice = "Use a longer passphrase of several unrelated words."
    return f"This password is too weak: {reason}. {suggestions or advice}".strip()
