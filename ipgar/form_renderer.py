"""Every form field gets the Amsterdam Design System's class for its kind of widget.

Set as FORM_RENDERER, so forms and widgets need no per-field ``attrs`` to look right;
a class a widget already has is kept after the ADS one.

The common widgets (inputs, text areas, selects and their options) are written out here
in Python, giving the markup of Django's own widget templates: through the templates a
select costs an include per option and every widget one more for its attributes, which
made the widgets most of a form page's time. Any other template (and a select whose
options have a template of their own) still goes through Django's templates.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

# By the input's type (Input.input_type), then by template for widgets without one.
INPUT_CLASSES = {
    "checkbox": "ams-checkbox__input",
    "radio": "ams-radio__input",
    "date": "ams-date-input",
    "time": "ams-time-input",
    "password": "ams-password-input",
    "hidden": "",
    "file": "",
}
DEFAULT_INPUT_CLASS = "ams-text-input"
TEMPLATE_CLASSES = {
    "django/forms/widgets/select.html": "ams-select",
    "django/forms/widgets/textarea.html": "ams-text-area ams-text-area--resize-vertical",
}


def ams_class(widget: dict[str, Any]) -> str:
    template = widget.get("template_name", "")
    if template in TEMPLATE_CLASSES:
        return TEMPLATE_CLASSES[template]
    if "type" in widget:
        return INPUT_CLASSES.get(widget["type"], DEFAULT_INPUT_CLASS)
    return ""


# A template's own context: escaping on, localisation and time zone as the settings say.
_CONTEXT = Context()


def _out(value: Any) -> str:
    """``{{ value }}``."""
    if type(value) is str:
        # What the template gives a plain text: Django's escape() is html.escape().
        return html.escape(value)
    return render_value_in_context(value, _CONTEXT)


def _out_s(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps a safe string safe)."""
    if type(value) is str or type(value) is int:
        return html.escape(str(value))
    text = stringformat(value, "s")
    return _out(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308  (it was safe)


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {_out(name)}" if value is True else f' {_out(name)}="{_out_s(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input_start(widget: dict[str, Any]) -> str:
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html, and every template that only includes it."""
    # The template's own test ({% if widget.value != None %}), so not "is None".
    shown = widget["value"] != None  # noqa: E711
    value = f' value="{_out_s(widget["value"])}"' if shown else ""
    return f"{_input_start(widget)}{value}{_attrs(widget['attrs'])}>"


def _file_input(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/clearable_file_input.html without a file already there."""
    if widget["is_initial"]:
        return None
    return f"{_input_start(widget)}{_attrs(widget['attrs'])}>"


def _textarea(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html"""
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html with its options (select_option.html)."""
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            parts.append(
                f'\n  <option value="{_out_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_out(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _hidden_only_form(context: dict[str, Any]) -> str | None:
    """django/forms/div.html for a form of hidden fields only and no errors (a
    formset's management form): the hidden fields one after the other."""
    if context["fields"] or context["errors"]:
        return None
    return "".join(str(field) for field in context["hidden_fields"])


_INPUT_TEMPLATES = [
    "input",
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]
# Widgets written out here (from the widget's context); None from a writer: the template after all.
WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUT_TEMPLATES},
    "django/forms/widgets/clearable_file_input.html": _file_input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class AmsterdamFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and isinstance(widget.get("attrs"), dict):
            extra = ams_class(widget)
            if extra:
                own = widget["attrs"].get("class", "")
                widget["attrs"] = {**widget["attrs"], "class": f"{extra} {own}".strip()}
            writer = WRITERS.get(template_name)
            if writer is not None and request is None:
                written = writer(widget)
                if written is not None:
                    return written.strip()
        elif template_name == "django/forms/div.html" and request is None:
            written = _hidden_only_form(context)
            if written is not None:
                return written
        return super().render(template_name, context, request)
