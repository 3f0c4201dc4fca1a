"""The mobile number on a person's account: any common writing (pracha.core.phones), kept in its home
form, with the account forms' own messages."""

import pytest

from pracha.accounts.workflow import clean_thai_mobile
from pracha.core.errors import InvalidInput

NOT_A_MOBILE = (
    "Enter a Thai mobile phone number: 10 digits starting with 06, 08 or 09, for example 081 234 5678."
)


@pytest.mark.parametrize(
    "written", ["0812345678", "081-234-5678", "+66 81 234 5678", "66812345678", "0066812345678", "๐๘๑๒๓๔๕๖๗๘"]
)
def test_a_mobile_number_is_kept_in_its_home_form(written):
    assert clean_thai_mobile(written) == "0812345678"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "Enter your mobile phone number."),
        (" - ", "Enter your mobile phone number."),
        ("08I-234-5678", "Mobile phone number may contain only the digits 0 to 9, for example 081 234 5678."),
        ("00812345678", NOT_A_MOBILE),
        ("02 123 4567", NOT_A_MOBILE),
    ],
)
def test_anything_else_is_refused_on_the_field(written, message):
    with pytest.raises(InvalidInput) as refused:
        clean_thai_mobile(written, field="mobile")
    assert refused.value.fields == {"mobile": [message]}
