"""Predicates about a social-media account, built on the people predicates."""

import rules

from accounts.models import AccountEditor
from people.predicates import officer_of, supervises


@rules.predicate
def is_account_owner(user, account):
    me = officer_of(user)
    return me is not None and account is not None and account.owner_id == me.pk


@rules.predicate
def is_supervisor_of_account_owner(user, account):
    return account is not None and supervises(user, account.owner)


@rules.predicate
def is_account_editor(user, account):
    """An editor in force of the account (approved, policy accepted)."""
    me = officer_of(user)
    return (
        me is not None
        and account is not None
        and AccountEditor.objects.filter(
            account=account, officer=me, state=AccountEditor.State.ACTIVE
        ).exists()
    )
