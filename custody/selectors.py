from django.db.models import F, Q, QuerySet

from accounts.models import SocialAccount


def accounts_needing_credentials() -> QuerySet:
    """Live accounts with no lodged login details, or details lodged before the account's last
    handover or incident (`credentials_required_since`)."""
    return (
        SocialAccount.objects.exclude(status=SocialAccount.Status.CLOSED)
        .filter(
            Q(credential__isnull=True)
            | Q(credential__lodged_at__lt=F("credentials_required_since"))
        )
        .select_related("owner", "unit", "credential", "credential__lodged_by")
        .order_by("unit__name", "handle")
    )


def credential_status(account: SocialAccount) -> dict:
    """What the register may show about an account's credentials: never the secret."""
    credential = getattr(account, "credential", None)
    if credential is None:
        return {"state": "missing", "label": "Not lodged"}
    if (
        account.credentials_required_since
        and credential.lodged_at < account.credentials_required_since
    ):
        return {"state": "stale", "label": "Out of date", "credential": credential}
    return {"state": "current", "label": "Lodged", "credential": credential}
