"""includes/field.html and includes/error_summary.html: the design system's markup for each widget."""

import datetime
import re
from collections.abc import Iterator

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class ExampleForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        help_text="As on your ID card",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "name"}),
    )
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days", choices=[("mon", "Monday"), ("tue", "Tuesday")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    born = forms.DateField(label="Date of birth", widget=forms.SelectDateWidget(years=[1990, 1991]))
    document = forms.FileField(label="Document", required=False)
    token = forms.CharField(widget=forms.HiddenInput)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def field_html(form: forms.Form, name: str) -> str:
    # Collapse the template's indentation so assertions can match the markup exactly.
    return re.sub(r">\s+<", "><", render_to_string("includes/field.html", {"field": form[name]})).strip()


def test_text_input_has_label_hint_and_the_design_system_class() -> None:
    html = field_html(ExampleForm(), "name")

    assert html == (
        '<div class="govuk-form-group"><label class="govuk-label" for="id_name">Full name</label>'
        '<div id="id_name-hint" class="govuk-hint">As on your ID card</div>'
        '<input type="text" name="name" class="govuk-input govuk-input--width-20" autocomplete="name" '
        'aria-describedby="id_name-hint" required id="id_name"></div>'
    )


def test_field_with_an_error_points_to_hint_and_error_and_is_marked_invalid() -> None:
    form = ExampleForm(data={"name": ""})
    form.is_valid()

    html = field_html(form, "name")

    assert html.startswith('<div class="govuk-form-group govuk-form-group--error">')
    assert (
        '<p id="id_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    assert (
        'class="govuk-input govuk-input--width-20 govuk-input--error" autocomplete="name" '
        'aria-describedby="id_name-hint id_name-error" required aria-invalid="true" id="id_name"'
    ) in html


def test_radios_are_a_fieldset_with_the_label_as_legend() -> None:
    html = field_html(ExampleForm(initial={"colour": "g"}), "colour")

    assert html == (
        '<div class="govuk-form-group"><fieldset class="govuk-fieldset">'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Colour</legend>'
        '<div class="govuk-radios" data-module="govuk-radios">'
        '<div class="govuk-radios__item"><input class="govuk-radios__input" id="id_colour_0" name="colour" '
        'type="radio" value="r"><label class="govuk-label govuk-radios__label" for="id_colour_0">Red</label>'
        '</div><div class="govuk-radios__item"><input class="govuk-radios__input" id="id_colour_1" '
        'name="colour" type="radio" value="g" checked>'
        '<label class="govuk-label govuk-radios__label" for="id_colour_1">Green</label></div>'
        "</div></fieldset></div>"
    )


def test_checkboxes_keep_what_was_ticked() -> None:
    form = ExampleForm(data={"days": ["tue"]})
    form.is_valid()

    html = field_html(form, "days")

    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert 'id="id_days_0" name="days" type="checkbox" value="mon"><label' in html
    assert 'id="id_days_1" name="days" type="checkbox" value="tue" checked><label' in html


def test_single_checkbox_is_labelled_by_the_field_label() -> None:
    html = field_html(ExampleForm(), "agree")

    assert (
        '<div class="govuk-checkboxes__item"><input type="checkbox" name="agree" '
        'class="govuk-checkboxes__input" required id="id_agree">'
        '<label class="govuk-label govuk-checkboxes__label" for="id_agree">I agree</label>'
    ) in html


def test_select_textarea_and_file_get_their_classes() -> None:
    form = ExampleForm()

    assert '<select name="kind" class="govuk-select" id="id_kind">' in field_html(form, "kind")
    assert '<textarea name="note" cols="40" rows="10" class="govuk-textarea" id="id_note">' in field_html(
        form, "note"
    )
    assert '<input type="file" name="document" class="govuk-file-upload" id="id_document">' in field_html(
        form, "document"
    )


def test_select_date_widget_is_a_date_input_with_a_label_per_part() -> None:
    html = field_html(ExampleForm(initial={"born": datetime.date(1991, 2, 3)}), "born")

    assert html.startswith('<div class="govuk-form-group"><fieldset class="govuk-fieldset" role="group">')
    labels = re.findall(
        r'<label class="govuk-label govuk-date-input__label" for="([^"]+)">([^<]+)</label>', html
    )
    # English orders month, day, year (Django's DATE_FORMAT for the language).
    assert labels == [("id_born_month", "Month"), ("id_born_day", "Day"), ("id_born_year", "Year")]
    assert '<select name="born_day" id="id_born_day" class="govuk-select govuk-date-input__input"' in html
    assert '<option value="3" selected>3</option>' in html
    assert '<option value="1991" selected>1991</option>' in html
    assert "&lt;" not in html


def test_hidden_field_is_only_the_input() -> None:
    assert field_html(ExampleForm(), "token") == '<input type="hidden" name="token" id="id_token">'


def test_error_summary_links_each_error_to_its_field_or_first_option() -> None:
    form = ExampleForm(data={"name": "Somchai"})
    form.is_valid()

    html = render_to_string("includes/error_summary.html", {"form": form})

    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert links == [
        ("id_colour_0", "This field is required."),
        ("id_days_0", "This field is required."),
        ("id_agree", "This field is required."),
        ("id_kind", "This field is required."),
        ("id_born_month", "This field is required."),
    ]
    # The hidden field's error cannot be linked to anything a person can reach.
    assert "<li>This field is required.</li>" in html


def test_error_summary_is_empty_for_a_valid_or_unbound_form() -> None:
    assert render_to_string("includes/error_summary.html", {"form": ExampleForm()}).strip() == ""
