import datetime

import pytest
from django.utils import timezone

from incidents import services
from tests.factories import CredentialFactory, SocialAccountFactory

OLD_PASSWORD = "Old-Secret-Pass-42!"
NEW_PASSWORD = "Brand-New-Secret-77?"


@pytest.fixture
def account(officer):
    """An active account of the officer, with login details lodged a month ago."""
    account = SocialAccountFactory(owner=officer, handle="PriyaSharmaWMP")
    CredentialFactory(
        account=account,
        password=OLD_PASSWORD,
        lodged_at=timezone.now() - datetime.timedelta(days=30),
    )
    return account


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    """report(actor, account, **fields) → (Report, opened), with the mail sent."""

    def _report(actor, account, **fields):
        user = getattr(actor, "user", actor)
        data = {
            "what_happened": "Direct messages I did not send; I clicked a link yesterday.",
            "noticed_at": timezone.now() - datetime.timedelta(hours=1),
            "link_clicked": "yes",
            "rogue_posts": "'Win an iPad' posts with a short link.",
        }
        data.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return services.incident_report(actor=user, account_id=account.pk, **data)

    return _report
