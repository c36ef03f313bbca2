from django import template

from audit.sentences import describe

register = template.Library()


@register.simple_tag
def sentence(event):
    """`{% sentence event as s %}`: the event as a sentence and its details (audit.sentences)."""
    return describe(event)
