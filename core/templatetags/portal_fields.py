"""Plain GOV.UK markup for the GET filter forms at the top of the busiest lists (the register).

Django renders a select through a template per option; on a list page that is read all day, the
filter form cost more than the table. These tags give the same markup from Python."""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _selected(value, current) -> bool:
    value = getattr(value, "value", value)  # ModelChoiceIteratorValue
    return str(value) == ("" if current is None else str(current))


@register.simple_tag
def govuk_filter_field(bound_field):
    """One field of a filter form: label, hint, errors and a text input or a select."""
    field, auto_id = bound_field.field, bound_field.auto_id
    described = []
    hint = ""
    if field.help_text:
        hint = format_html(
            '<div id="{}_hint" class="govuk-hint">{}</div>', auto_id, field.help_text
        )
        described.append(f"{auto_id}_hint")
    errors = format_html_join(
        "",
        '<span id="{}_{}_error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> {}</span>',
        ((auto_id, n, error) for n, error in enumerate(bound_field.errors, start=1)),
    )
    described += [f"{auto_id}_{n}_error" for n in range(1, len(bound_field.errors) + 1)]
    error_class = " govuk-input--error" if bound_field.errors else ""
    aria = format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
    if bound_field.errors:
        aria += mark_safe(' aria-invalid="true"')  # nosec B308 - a constant, no input in it
    current = bound_field.value()
    if isinstance(field, forms.ChoiceField):
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (getattr(v, "value", v), " selected" if _selected(v, current) else "", label)
                for v, label in field.choices
            ),
        )
        control = format_html(
            '<select name="{}" class="govuk-select{}" id="{}"{}>{}</select>',
            bound_field.html_name,
            error_class,
            auto_id,
            aria,
            options,
        )
    else:
        control = format_html(
            '<input type="text" name="{}" value="{}" maxlength="{}" '
            'class="govuk-input govuk-input--width-20{}" id="{}"{}>',
            bound_field.html_name,
            "" if current is None else current,
            field.max_length or "",
            error_class,
            auto_id,
            aria,
        )
    return format_html(
        '<div id="div_{}" class="govuk-form-group{}"><label for="{}" class="govuk-label">{}'
        "</label>{}{}{}</div>",
        auto_id,
        " govuk-form-group--error" if bound_field.errors else "",
        auto_id,
        bound_field.label,
        hint,
        errors,
        control,
    )
