"""Checks of an account's public profile, as its platform adapter read it: the bio says crime
is not reported here and gives the force's reporting route, the handle and display name follow
the force's convention (accounts/handles.py), the link points to the force's website. The
phrases and the website are settings; nothing here writes (services.profile_check_record does).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.handles import _ascii_words, conventional_handle, suggest_handles, validate_handle
from accounts.models import ProfileCheck, SocialAccount
from accounts.platforms import Profile

Check = ProfileCheck.Check
URL_IN_TEXT = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/[^\s)\]]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    code: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"code": self.code, "ok": self.ok, "detail": self.detail}


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def _has_any(text: str, phrases: list[str]) -> str | None:
    folded = _folded(text)
    for phrase in phrases:
        needle = _folded(phrase)
        if not needle:
            continue
        # Whole words, so that "101" is not found inside "21012".
        if re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", folded):
            return phrase
    return None


def _host(url: str) -> str:
    if "://" not in url:
        url = "https://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _links_to_force(url: str) -> bool:
    force = _host(settings.FORCE_WEBSITE)
    host = _host(url)
    return bool(host) and (host == force or host.endswith("." + force))


def check_bio(bio: str) -> list[Result]:
    not_for_crime = _has_any(bio, settings.PROFILE_NOT_FOR_CRIME_PHRASES)
    route = _has_any(bio, settings.PROFILE_REPORTING_ROUTE_PHRASES)
    return [
        Result(
            Check.NOT_FOR_CRIME,
            bool(not_for_crime),
            f"Says “{not_for_crime}”."
            if not_for_crime
            else "The bio does not say that crime cannot be reported here.",
        ),
        Result(
            Check.REPORTING_ROUTE,
            bool(route),
            f"Gives “{route}”."
            if route
            else "The bio does not give the force's way to report a crime.",
        ),
    ]


def check_handle(account: SocialAccount, handle: str) -> Result:
    handle = handle.lstrip("@")
    if handle.lower() != account.handle.lower():
        return Result(
            Check.HANDLE,
            False,
            f"The platform shows @{handle}, the register @{account.handle}: update one of them.",
        )
    try:
        validate_handle(handle, account.platform)
    except ValidationError as exc:
        return Result(Check.HANDLE, False, exc.messages[0])
    suffix = settings.FORCE_HANDLE_SUFFIX
    if suffix and not handle.lower().endswith(suffix.lower()):
        return Result(Check.HANDLE, False, f"The handle does not end with {suffix}.")
    if account.kind == SocialAccount.Kind.INDIVIDUAL:
        owner = account.owner
        forms = {
            h.lower()
            for h in suggest_handles(owner.first_name, owner.surname, account.platform, limit=20)
        }
        forms.add(conventional_handle(owner.first_name, owner.surname).lower())
        if handle.lower() not in forms:
            expected = conventional_handle(owner.first_name, owner.surname)
            return Result(
                Check.HANDLE,
                False,
                f"An officer's handle is FirstnameSurname{suffix} ({expected}) or a short form "
                "of it.",
            )
    return Result(Check.HANDLE, True, f"@{handle} follows the convention.")


def check_display_name(account: SocialAccount, display_name: str) -> Result:
    if not display_name.strip():
        return Result(Check.DISPLAY_NAME, False, "The profile has no display name.")
    marker = _has_any(display_name, settings.PROFILE_DISPLAY_NAME_MARKERS)
    if not marker:
        markers = ", ".join(settings.PROFILE_DISPLAY_NAME_MARKERS)
        return Result(
            Check.DISPLAY_NAME,
            False,
            f"“{display_name}” does not show it is the force's account (one of: {markers}).",
        )
    if account.kind == SocialAccount.Kind.INDIVIDUAL:
        words = {w.lower() for w in _ascii_words(display_name)}
        surname = [w.lower() for w in _ascii_words(account.owner.surname)]
        if surname and not set(surname) <= words:
            return Result(
                Check.DISPLAY_NAME,
                False,
                f"“{display_name}” does not name the owner, {account.owner.full_name}.",
            )
    return Result(Check.DISPLAY_NAME, True, f"“{display_name}”.")


def check_link(profile: Profile) -> Result:
    website = settings.FORCE_WEBSITE
    if profile.link:
        if _links_to_force(profile.link):
            return Result(Check.LINK, True, profile.link)
        return Result(Check.LINK, False, f"The link goes to {profile.link}, not {website}.")
    # The platform gives no link field (YouTube): a link to the site in the bio will do.
    in_bio = [u for u in URL_IN_TEXT.findall(profile.bio) if _links_to_force(u)]
    if in_bio:
        return Result(Check.LINK, True, f"{in_bio[0]} (in the bio).")
    return Result(Check.LINK, False, f"The profile does not link to {website}.")


def check_profile(account: SocialAccount, profile: Profile) -> list[Result]:
    """Every check, in the order the account page shows them."""
    return [
        *check_bio(profile.bio),
        check_handle(account, profile.handle),
        check_display_name(account, profile.display_name),
        check_link(profile),
    ]
