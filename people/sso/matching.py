"""Which officer a person who signed in with the force's identity provider is.

Nobody becomes a portal user by signing in: the person must already be an officer or member of
staff here. They are matched by staff number (the claim named by OIDC_STAFF_NUMBER_CLAIM, when
the provider sends it) or by e-mail address, both case-insensitively. Two records that disagree,
an e-mail address shared by two records, an officer who has left and a switched-off login are
refused, each with its reason, never guessed."""

from django.conf import settings

from core.errors import DomainError
from people.models import Officer


class SignInRefused(DomainError):
    """The person signed in at the identity provider, but may not sign in to the portal."""

    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    LEFT = "left"
    INACTIVE = "inactive"

    def __init__(self, reason: str, message: str, *, officer=None, claims=None):
        super().__init__(message)
        self.reason = reason
        self.officer = officer
        self.claims = claims or {}


def identity(claims: dict) -> tuple[str, str]:
    """The (e-mail, staff number) a provider's claims give, either possibly empty."""
    email = str(claims.get("email") or "").strip()
    staff_number = str(claims.get(settings.OIDC_STAFF_NUMBER_CLAIM) or "").strip()
    return email, staff_number


def officer_for_claims(claims: dict) -> Officer:
    """The officer these claims are about, or SignInRefused saying why there is none."""
    email, staff_number = identity(claims)
    officers = Officer.objects.select_related("user")
    by_number = officers.filter(staff_number__iexact=staff_number).first() if staff_number else None
    by_email = list(officers.filter(user__email__iexact=email)[:2]) if email else []
    if by_number and by_email and by_number not in by_email:
        raise SignInRefused(
            SignInRefused.AMBIGUOUS,
            "Your staff number and your e-mail address belong to two different people in the "
            "portal.",
            claims=claims,
        )
    if by_number:
        return by_number
    if len(by_email) > 1:
        raise SignInRefused(
            SignInRefused.AMBIGUOUS,
            "More than one person in the portal has your e-mail address.",
            claims=claims,
        )
    if by_email:
        return by_email[0]
    raise SignInRefused(
        SignInRefused.UNKNOWN,
        "Nobody in the portal has your staff number or e-mail address.",
        claims=claims,
    )


def check_may_sign_in(officer: Officer, claims: dict | None = None) -> None:
    """SignInRefused unless the officer is still with the force and their login is on."""
    if officer.status == Officer.Status.LEFT:
        raise SignInRefused(
            SignInRefused.LEFT,
            "The portal records that you left the force"
            + (f" on {officer.status_changed_on:%-d %B %Y}." if officer.status_changed_on else "."),
            officer=officer,
            claims=claims,
        )
    if not officer.user.is_active:
        raise SignInRefused(
            SignInRefused.INACTIVE,
            "Your portal login has been switched off.",
            officer=officer,
            claims=claims,
        )
