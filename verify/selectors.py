"""What the public may see: the force's live official accounts, and only their public facts."""

from django.db.models import QuerySet
from django.db.models.functions import Lower

from accounts.models import SocialAccount

# Live accounts the force runs. A handover is internal and the account stays official while it
# happens; a compromised account is left off until it is back in the force's hands.
PUBLIC_STATUSES = (SocialAccount.Status.ACTIVE, SocialAccount.Status.HANDOVER_PENDING)
PUBLIC_FIELDS = ("platform", "handle", "display_name", "unit__name")


def public_accounts() -> QuerySet:
    """Rows of exactly the public fields (a values() queryset: nothing else is even loaded)."""
    return (
        SocialAccount.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(handle_lower=Lower("handle"))
        .order_by("platform", "handle_lower")
        .values(*PUBLIC_FIELDS)
    )


def lookup(handle: str, platform: str | None = None) -> list[dict]:
    handle = handle.strip().lstrip("@")
    if not handle:
        return []
    qs = public_accounts().filter(handle_lower=handle.lower())
    if platform:
        qs = qs.filter(platform=platform)
    return list(qs)
