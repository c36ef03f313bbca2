"""Custody's part of pages that belong to lower apps: the account page (in `accounts`) shows
whether login details are lodged without `accounts` importing custody."""

from django import template

from custody.selectors import credential_status as _credential_status

register = template.Library()


@register.simple_tag
def credential_status(account) -> dict:
    """`{% credential_status account as credential %}`: never the secret, only its state."""
    return _credential_status(account)
