"""Predicates about a social-media account, built on the people predicates."""

import rules

from people.predicates import officer_of, supervises


@rules.predicate
def is_account_owner(user, account):
    me = officer_of(user)
    return me is not None and account is not None and account.owner_id == me.pk


@rules.predicate
def is_supervisor_of_account_owner(user, account):
    return account is not None and supervises(user, account.owner)
