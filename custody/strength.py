"""The guidance's password rule, checked when login details are lodged: strong, and not made of
the names, collar numbers, teams or units of the owner or the editors. Scored by zxcvbn
(Dropbox's estimator, which knows common passwords, keyboard patterns, dates and l33t
substitutions) with the account's own words added to its dictionary. Only the submitted value is
scored; nothing here stores or logs it, and no message repeats any part of it."""

import re

from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from zxcvbn import zxcvbn

from accounts.selectors import account_posters

# zxcvbn ignores everything after its first 100 characters; a longer password is judged on those.
_SCORED_LENGTH = 100


def words_to_avoid(account) -> list[str]:
    """Names, numbers and places an attacker would try first for this account: of its owner and
    of every current editor (each knows the password), and of the account itself."""
    words = [account.handle, account.display_name, settings.FORCE_HANDLE_SUFFIX]
    units = [account.unit]
    for person in account_posters(account):
        words += [person.first_name, person.surname, person.staff_number]
        # The staff number's digits alone (PS2231 → 2231) are as guessable as the number.
        words += re.findall(r"\d{3,}", person.staff_number)
        units.append(person.unit)
    for unit in _units_up(*units):
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
            "it contains the owner's or an editor's name, staff number, the handle, team or unit, "
            "which anyone can find out"
        )
    else:
        warning = (result["feedback"].get("warning") or "").rstrip(".")
        reason = warning[:1].lower() + warning[1:] if warning else "it would be guessed quickly"
    suggestions = " ".join(result["feedback"].get("suggestions") or [])
    advice = "Use a longer passphrase of several unrelated words."
    return f"This password is too weak: {reason}. {suggestions or advice}".strip()
