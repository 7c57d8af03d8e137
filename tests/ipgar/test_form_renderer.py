"""The form renderer writes the common widgets out in Python: the HTML must be what
Django's own widget templates give, so every form looks and reads the same."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from ipgar import form_renderer
from ipgar.form_renderer import AmsterdamFormRenderer

ATTRS = {
    "id": "id_veld",
    "required": True,
    "disabled": False,
    "maxlength": 200,
    "aria-describedby": 'id_veld_helptext "x"',
    "class": "eigen",
}
CHOICES: list[Any] = [
    ("", "---------"),
    (1, "Politie & <OM>"),
    ("2", gettext_lazy("Gemeente Amsterdam")),
    (gettext_lazy("Zorg"), [("3", "GGZ"), (4, mark_safe("<b>Veilig Thuis</b>"))]),
]
VALUES: list[Any] = [
    None,
    "",
    "tekst met <tags> & \"quotes\" en 'apostrof'",
    mark_safe("<i>veilig</i>"),
    0,
    12,
    Decimal("3.50"),
    2.5,
    datetime.date(2026, 12, 7),
    datetime.time(9, 30),
    gettext_lazy("Gemeente Amsterdam"),
    (1, 2),
]
WIDGETS: list[forms.Widget] = [
    forms.TextInput(),
    forms.TextInput(attrs={"autocomplete": "off", "readonly": True}),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.FileInput(),
    forms.ClearableFileInput(),
    forms.Textarea(),
    forms.Select(choices=CHOICES),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
    forms.RadioSelect(choices=CHOICES[1:3]),
]


def _through_templates(widget: forms.Widget, value: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(form_renderer, "WRITERS", {})
        return widget.render("veld", value, attrs=ATTRS, renderer=AmsterdamFormRenderer())


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_widget_reads_as_from_djangos_templates(
    widget: forms.Widget, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(widget, forms.SelectMultiple) and not isinstance(value, tuple | list):
        value = [value]
    html = widget.render("veld", value, attrs=ATTRS, renderer=AmsterdamFormRenderer())
    assert html == _through_templates(widget, value, monkeypatch)


def test_a_select_shows_its_choice_selected_and_escaped() -> None:
    html = forms.Select(choices=CHOICES).render(
        "veld", "3", attrs={"id": "id_veld"}, renderer=AmsterdamFormRenderer()
    )
    assert '<select name="veld" id="id_veld" class="ams-select">' in html
    assert '<option value="1">Politie &amp; &lt;OM&gt;</option>' in html
    assert '<optgroup label="Zorg">' in html
    assert '<option value="3" selected>GGZ</option>' in html
    assert "<b>Veilig Thuis</b>" in html


def test_a_file_already_there_is_shown_as_by_djangos_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class _Stored:
        url = "/bestand/1"

        def __str__(self) -> str:
            return "verslag.pdf"

    widget = forms.ClearableFileInput()
    html = widget.render("veld", _Stored(), attrs=ATTRS, renderer=AmsterdamFormRenderer())
    assert 'href="/bestand/1"' in html
    assert html == _through_templates(widget, _Stored(), monkeypatch)
    new = SimpleUploadedFile("nieuw.pdf", b"%PDF")
    assert widget.render(
        "veld", new, attrs=ATTRS, renderer=AmsterdamFormRenderer()
    ) == _through_templates(widget, new, monkeypatch)


class _HiddenOnly(forms.Form):
    run_id = forms.UUIDField(widget=forms.HiddenInput)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "form",
    [
        forms.formset_factory(_HiddenOnly, extra=2)(prefix="rijen").management_form,
        _HiddenOnly(initial={"run_id": "0992d5e7-47b1-4dda-b482-1543141acca9", "page": 2}),
        _HiddenOnly(data={"run_id": "geen uuid"}),
    ],
    ids=["management form", "hidden fields", "hidden field with an error"],
)
def test_a_form_of_hidden_fields_reads_as_from_djangos_template(
    form: forms.Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = str(form)
    with monkeypatch.context() as patched:
        patched.setattr(form_renderer, "_hidden_only_form", lambda context: None)
        assert html == str(form)
