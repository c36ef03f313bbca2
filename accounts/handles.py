"""The force's handle convention: FirstnameSurname plus the force suffix (settings), and the
platform's own rules (X/Twitter: at most 15 letters, digits or underscores)."""

import re

from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError

MAX_LENGTH = {"x": 15, "instagram": 30, "tiktok": 24, "youtube": 30, "facebook": 50, "nextdoor": 50}
VALID = re.compile(r"^[A-Za-z0-9_]+$")


def _ascii_words(text: str) -> list[str]:
    """'Siân O'Brien-Smith' → ['Sian', 'OBrien', 'Smith']: accents folded, other scripts
    transliterated (a Cyrillic 'а' typed into 'Jane' is 'a', not dropped: anyascii), apostrophes
    dropped, hyphens and spaces split words."""
    folded = anyascii(text)
    folded = re.sub(r"['’`]", "", folded)
    return [w for w in re.split(r"[^A-Za-z0-9]+", folded) if w]


def _camel(words: list[str]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


def validate_handle(handle: str, platform: str = "x") -> None:
    limit = MAX_LENGTH.get(platform, 30)
    if not handle:
        raise ValidationError("Enter a handle.", code="required")
    if handle.startswith("@"):
        raise ValidationError("Enter the handle without the @ sign.", code="at_sign")
    if not VALID.match(handle):
        raise ValidationError(
            "A handle can only contain letters, numbers and underscores (_).", code="characters"
        )
    if len(handle) > limit:
        raise ValidationError(
            f"A handle on this platform must be {limit} characters or fewer; this one has "
            f"{len(handle)}.",
            code="too_long",
        )


def conventional_handle(first_name: str, surname: str, suffix: str | None = None) -> str:
    """The handle the guidance asks for, whatever its length: FirstnameSurnameWMP."""
    suffix = settings.FORCE_HANDLE_SUFFIX if suffix is None else suffix
    return _camel(_ascii_words(first_name)) + _camel(_ascii_words(surname)) + suffix


def suggest_handles(
    first_name: str, surname: str, platform: str = "x", taken=frozenset(), limit: int = 5
) -> list[str]:
    """Valid handles in order of preference, leaving out any in `taken` (compared without case)."""
    suffix = settings.FORCE_HANDLE_SUFFIX
    max_len = MAX_LENGTH.get(platform, 30)
    first = _camel(_ascii_words(first_name))
    last = _camel(_ascii_words(surname))
    last_words = _ascii_words(surname)
    initial = first[:1]
    candidates = [
        first + last + suffix,
        initial + last + suffix,
        first + _camel(last_words[-1:]) + suffix,
        initial + _camel(last_words[-1:]) + suffix,
        first + "_" + last + suffix,
        initial + "_" + last + suffix,
        (initial + last)[: max_len - len(suffix)] + suffix,
    ]
    # Numbered forms for when every natural one is taken.
    base = (initial + last)[: max_len - len(suffix) - 1]
    candidates += [f"{base}{n}{suffix}"[:max_len] for n in range(2, 10)]
    taken_lower = {t.lower() for t in taken}
    seen, result = set(), []
    for handle in candidates:
        key = handle.lower()
        if key in seen or key in taken_lower or len(handle) > max_len or not VALID.match(handle):
            continue
        seen.add(key)
        result.append(handle)
        if len(result) == limit:
            break
    return result
