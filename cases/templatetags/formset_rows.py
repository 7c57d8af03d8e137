"""The rows of a formset (cases/templates/cases/_formset.html), written in Python.

The UVO form shows a row per member of the intervention team and the plan form one per
intervention, each a group of labelled fields; through the template every field's
label, errors and identifiers were resolved through the context stack, a share of the
form's rendering next to the widgets themselves. The markup is what the template wrote.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _errors(field: BoundField, marker: str) -> str:
    if not field.errors:
        return ""
    messages = " ".join(str(conditional_escape(str(message))) for message in field.errors)
    return (
        f'<p class="ams-error-message" id="{conditional_escape(field.auto_id)}_error">'
        f"{marker}{messages}</p>"
    )


def _field(field: BoundField, marker: str) -> str:
    invalid = " ams-field--invalid" if field.errors else ""
    target = conditional_escape(field.id_for_label)
    label = conditional_escape(field.label)
    if field.widget_type == "checkbox":
        return (
            f'\n    <div class="ams-field ipgar-formset-row__check{invalid}">\n'
            f"      {_errors(field, marker)}\n"
            f'      <label class="ams-checkbox__label" for="{target}">{field} {label}</label>\n'
            "    </div>"
        )
    return (
        f'\n    <div class="ams-field{invalid}">\n'
        f'      <label class="ams-label" for="{target}">{label}</label>\n'
        f"      {_errors(field, marker)}\n"
        f"      {field}\n"
        "    </div>"
    )


@register.simple_tag
def formset_rows(formset: forms.BaseFormSet) -> SafeString:
    """Each row of ``formset`` as a numbered group of its labelled fields, with its
    errors; a check box (the row's "remove") with its label after it."""
    marker = (
        f'<span class="ams-visually-hidden">{conditional_escape(gettext("Invoerfout:"))} </span>'
    )
    html = []
    for number, form in enumerate(formset, start=1):
        invalid = " ipgar-formset-row--invalid" if form.errors else ""
        row = gettext("Rij %(number)s") % {"number": number}
        hidden = "".join(str(field) for field in form.hidden_fields())
        problems = form.non_field_errors()
        wide = (
            '<p class="ams-error-message ipgar-formset-row__wide">'
            + " ".join(str(conditional_escape(str(message))) for message in problems)
            + "</p>"
            if problems
            else ""
        )
        fields = "".join(_field(field, marker) for field in form.visible_fields())
        html.append(
            f'\n  <fieldset class="ipgar-formset-row{invalid}">\n'
            f'    <legend class="ipgar-formset-row__legend">{row}</legend>\n'
            f"    {hidden}\n"
            f"    {wide}\n"
            f"    {fields}\n"
            "  </fieldset>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 (every value in it is escaped)
