"""A form's fields with their labels, hints and errors (``templates/includes/form_fields.html``),
and the error alert above a page or form (``templates/includes/error_alert.html``), written
in Python.

Through the template every field resolved its label, identifiers, hint and errors through
the context stack, a dozen lookups and filters a field: a filter form of eight fields took
longer than its widgets. The markup is what the template wrote; the widgets themselves come
from the form renderer (ipgar/form_renderer.py) as before. Registered as the template
library ``form_fields`` (settings ``TEMPLATES``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _out(value: Any) -> str:
    """``{{ value }}``: escaped unless already safe."""
    return str(conditional_escape(value))


def _alert(errors: Any) -> str:
    """The errors a page or form shows above itself, one paragraph each; nothing for none."""
    if not errors:
        return ""
    paragraphs = "".join(f'<p class="ams-paragraph">{_out(error)}</p>' for error in errors)
    return (
        '<div class="ams-alert ams-alert--error ams-mb-l" role="alert">\n'
        '  <div class="ams-alert__severity-indicator"></div>\n'
        f'  <div class="ams-alert__content">{paragraphs}</div>\n'
        "</div>"
    )


def _errors(field: BoundField, marker: str) -> str:
    if not field.errors:
        return ""
    # {{ field.errors|join:" " }}: each message escaped.
    messages = " ".join(_out(message) for message in field.errors)
    return f'<p class="ams-error-message" id="{_out(field.auto_id)}_error">{marker}{messages}</p>'


def _field(field: BoundField, marker: str, optional: str) -> str:
    if field.is_hidden:
        return str(field)
    invalid = " ams-field--invalid" if field.errors else ""
    target = _out(field.id_for_label)
    label = _out(field.label)
    help_text = field.help_text
    if field.widget_type == "checkbox":
        hint = (
            f'<p class="ams-hint" id="{_out(field.auto_id)}_helptext">{_out(help_text)}</p>'
            if help_text
            else ""
        )
        return (
            f'\n<div class="ams-field{invalid} ams-mb-l">\n'
            f"  {_errors(field, marker)}\n"
            f'  <label class="ams-checkbox__label" for="{target}">{field} {label}</label>\n'
            f"  {hint}\n"
            "</div>"
        )
    hint = (
        f'<p class="ams-paragraph ams-paragraph--small" id="{_out(field.auto_id)}_helptext">'
        f"{_out(help_text)}</p>"
        if help_text
        else ""
    )
    return (
        f'\n<div class="ams-field{invalid} ams-mb-l">\n'
        f'  <label class="ams-label" for="{target}">{label}'
        f"{'' if field.field.required else optional}</label>\n"
        f"  {hint}\n"
        f"  {_errors(field, marker)}\n"
        f"  {field}\n"
        "</div>"
    )


@register.simple_tag
def error_alert(errors: Any) -> SafeString:
    """``{% error_alert errors %}``: templates/includes/error_alert.html, and the alert
    above a form's fields (``form_fields``), written here once."""
    return mark_safe(_alert(errors))  # noqa: S308 (every error in it is escaped)


@register.simple_tag
def form_fields(form: Any) -> SafeString:
    """The form's errors that belong to no field, then each field: a hidden one as it is,
    a check box inside its label, any other under its label (marked when not required),
    its hint and its errors."""
    if not form:
        return mark_safe("")
    marker = f'<span class="ams-visually-hidden">{_out(gettext("Invoerfout:"))} </span>'
    optional = f' <span class="ams-hint">({_out(gettext("niet verplicht"))})</span>'
    fields = "".join(_field(field, marker, optional) for field in form)
    return mark_safe(f"{_alert(form.non_field_errors())}\n{fields}")  # noqa: S308 (escaped)
