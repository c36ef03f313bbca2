from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()


def _has_errors(value) -> bool:
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    return False


@register.simple_tag(takes_context=True)
def error_prefix(context) -> str:
    """ "Error: " before the page title when a form on the page came back with errors (GOV.UK:
    a screen-reader user hears it first). The error pages (403, 404 ...) say it in their own
    titles."""
    for value in context.flatten().values():
        if _has_errors(value):
            return "Error: "
    return ""
