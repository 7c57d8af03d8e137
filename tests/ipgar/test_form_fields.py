"""A form's fields with labels, hints and errors (includes/form_fields.html, written by
ipgar/form_fields.py): what a person filling in a form reads and what a screen reader
announces."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class _Form(forms.Form):
    name = forms.CharField(label="Naam <b>", help_text="Een <i>hint</i> & meer", max_length=5)
    note = forms.CharField(label="Notitie", required=False, widget=forms.Textarea)
    agreed = forms.BooleanField(label="Akkoord & verder", help_text="Vink aan")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError(["Iets <mis>", "Nog iets"])


def _html(form: forms.Form) -> str:
    html = render_to_string("includes/form_fields.html", {"form": form})
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def test_each_field_has_its_label_hint_and_errors_escaped_and_linked():
    with translation.override("nl"):
        html = _html(_Form({"name": "te lange naam", "secret": "x"}))
    assert html.startswith('<div class="ams-alert ams-alert--error ams-mb-l" role="alert">')
    assert (
        '<p class="ams-paragraph">Iets &lt;mis&gt;</p><p class="ams-paragraph">Nog iets</p>' in html
    )
    assert '<label class="ams-label" for="id_name">Naam &lt;b&gt;</label>' in html
    assert (
        '<p class="ams-paragraph ams-paragraph--small" id="id_name_helptext">'
        "Een &lt;i&gt;hint&lt;/i&gt; &amp; meer</p>"
    ) in html
    assert (
        '<p class="ams-error-message" id="id_name_error">'
        '<span class="ams-visually-hidden">Invoerfout: </span>'
    ) in html
    assert 'aria-invalid="true"' in html
    assert (
        '<label class="ams-label" for="id_note">Notitie <span class="ams-hint">(niet verplicht)'
        "</span></label>"
    ) in html
    # A check box inside its label, its hint below; a hidden field as it is.
    assert re.search(
        r'<label class="ams-checkbox__label" for="id_agreed"><input type="checkbox" '
        r'name="agreed"[^>]*> Akkoord &amp; verder</label><p class="ams-hint" '
        r'id="id_agreed_helptext">Vink aan</p>',
        html,
    )
    assert '<input type="hidden" name="secret" value="x" id="id_secret">' in html
    assert html.count("ams-field--invalid") == 2  # the name and the check box


def test_an_unbound_form_shows_no_errors_and_speaks_english_in_english():
    with translation.override("en"):
        html = _html(_Form())
    assert "ams-alert" not in html and "ams-error-message" not in html
    assert "ams-field--invalid" not in html
    assert '<span class="ams-hint">(optional)</span>' in html


def test_no_form_gives_nothing():
    assert render_to_string("includes/form_fields.html", {}).strip() == ""


def test_the_page_error_alert_shows_each_error_escaped_and_nothing_for_none():
    html = render_to_string("includes/error_alert.html", {"errors": ["Iets <mis>", "Nog & iets"]})
    assert '<div class="ams-alert ams-alert--error ams-mb-l" role="alert">' in html
    assert (
        '<p class="ams-paragraph">Iets &lt;mis&gt;</p><p class="ams-paragraph">Nog &amp; iets</p>'
    ) in html
    assert render_to_string("includes/error_alert.html", {}).strip() == ""
    assert render_to_string("includes/error_alert.html", {"errors": []}).strip() == ""
