"""Thai mobile numbers written any common way (pracha.core.phones)."""

import pytest

from pracha.core.phones import digits_of, national_mobile, thai_mobile


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("0812345678", "+66812345678"),
        ("081-234-5678", "+66812345678"),
        ("081 234 5678", "+66812345678"),
        ("(081) 234.5678", "+66812345678"),
        ("081\u00a0234\u00a05678", "+66812345678"),
        ("+66812345678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("+66 (0)81 234 5678", "+66812345678"),
        ("+66 081 234 5678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("660812345678", "+66812345678"),
        ("0066 81 234 5678", "+66812345678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "+66812345678"),
        ("0612345678", "+66612345678"),
        ("0912345678", "+66912345678"),
    ],
)
def test_a_thai_mobile_number_in_any_common_writing(written, number):
    assert thai_mobile(written) == number


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "hello",
        "021234567",  # a Bangkok landline
        "0212345678",  # 10 digits, but not 06, 08 or 09
        "081234567",  # a digit short
        "08123456789",  # a digit too many
        "00812345678",  # two leading zeros
        "+66 21234567",  # a landline in international form
        "+66 0081 234 5678",
        "+1 415 555 0100",
        "+44 7911 123456",
        "081-234-567X",
        "+66812345678 ext 1",
    ],
)
def test_anything_else_is_none(written):
    assert thai_mobile(written) is None


def test_the_home_form_of_a_number():
    assert national_mobile("+66812345678") == "0812345678"
    assert national_mobile(thai_mobile("+66 91 234 5678") or "") == "0912345678"
    for wrong in ("0812345678", "+6681234567", "+15555550100"):
        with pytest.raises(ValueError, match="not a Thai mobile number"):
            national_mobile(wrong)


def test_digits_of_strips_decoration_only():
    assert digits_of(" +66 (0)81-234.5678 ") == "+660812345678"
    assert digits_of("08I-234-5678") == "08I2345678"
