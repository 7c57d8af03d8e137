"""Every form field gets the Amsterdam Design System's class for its kind of widget.

Set as FORM_RENDERER, so forms and widgets need no per-field ``attrs`` to look right;
a class a widget already has is kept after the ADS one.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates

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


class AmsterdamFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and isinstance(widget.get("attrs"), dict):
            extra = ams_class(widget)
            if extra:
                own = widget["attrs"].get("class", "")
                widget["attrs"] = {**widget["attrs"], "class": f"{extra} {own}".strip()}
        return super().render(template_name, context, request)
