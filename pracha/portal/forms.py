"""The topics page's form: which agencies' announcements and which life events a person follows.

Topics are notification topics ("agency:<code>", "life-event:<code>"); the form offers only what exists
today and says which of those topics were ticked. Whether a topic is valid is the service's call.
"""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

AGENCY_PREFIX = "agency:"
LIFE_EVENT_PREFIX = "life-event:"
# What a topic's code may be (the notifications service refuses anything else).
TOPIC_CODE = re.compile(r"^[a-z0-9-]+$")


class SubscriptionsForm(forms.Form):
    # Browsers' own "required" bubbles are untranslated and skip the error summary; the server says it.
    use_required_attribute = False

    agencies = forms.MultipleChoiceField(
        label=_("Announcements from agencies"),
        help_text=_("Select all that apply."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose agencies from the list.")},
    )
    life_events = forms.MultipleChoiceField(
        label=_("Life events"),
        help_text=_(
            "News about the services you need when something happens in your life. Select all that apply."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose life events from the list.")},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        agencies: Iterable[tuple[str, str]],
        life_events: Iterable[tuple[str, str]],
        followed: Iterable[str] = (),
    ) -> None:
        followed = set(followed)
        agency_choices = [(code, name) for code, name in agencies if TOPIC_CODE.match(code)]
        life_event_choices = [(code, label) for code, label in life_events if TOPIC_CODE.match(code)]
        super().__init__(
            data,
            initial={
                "agencies": [code for code, _name in agency_choices if AGENCY_PREFIX + code in followed],
                "life_events": [
                    code for code, _label in life_event_choices if LIFE_EVENT_PREFIX + code in followed
                ],
            },
        )
        self.fields["agencies"].choices = agency_choices  # type: ignore[attr-defined]
        self.fields["life_events"].choices = life_event_choices  # type: ignore[attr-defined]
        self.offered = {AGENCY_PREFIX + code for code, _name in agency_choices} | {
            LIFE_EVENT_PREFIX + code for code, _label in life_event_choices
        }

    def topics(self) -> set[str]:
        """The topics ticked, of those offered."""
        return {AGENCY_PREFIX + code for code in self.cleaned_data["agencies"]} | {
            LIFE_EVENT_PREFIX + code for code in self.cleaned_data["life_events"]
        }
