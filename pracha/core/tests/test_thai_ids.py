"""The 13-digit national ID and juristic person numbers.

The check digit is (11 - S mod 11) mod 10, where S weights the first twelve digits 13, 12, ..., 2. Two
consequences follow from the arithmetic, and the property tests below pin them down exactly:

* The third digit has weight 11 = 0 (mod 11), so changing it never changes S mod 11: such a typo is
  never caught. Every other weight w is in 1..10 (13 and 12 reduce to 2 and 1) and so is invertible
  mod 11; changing a digit by d (1 <= |d| <= 9) changes S by w*d, never a multiple of 11.
* The final "mod 10" maps the residues 0 and 10 to the same check digit 1, so a change that moves S mod
  11 from 0 to 10 or back is not caught either.

So "changing any single digit makes it fail" is NOT a property of this algorithm; what holds is: a
different check digit always fails, and a change in digit i (i != 3) fails unless it swaps residues 0
and 10.
"""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pracha.core.errors import InvalidInput
from pracha.core.thai_ids import (
    check_digit,
    format_thai_id,
    make_valid_id,
    normalise_id,
    validate_juristic_number,
    validate_national_id,
)

# Worked by hand: 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 0*5 + 3*4 + 4*3 + 5*2 = 144;
# 144 mod 11 = 1; (11 - 1) mod 10 = 0.
VALID_NATIONAL_ID = "1101700203450"
# 0*13 + 1*12 + 0*11 + 5*10 + 5*9 + 6*8 + 0*7 + 0*6 + 1*5 + 2*4 + 3*3 + 4*2 = 185;
# 185 mod 11 = 9; (11 - 9) mod 10 = 2. Juristic person numbers may start with 0.
VALID_JURISTIC_NUMBER = "0105560012342"

WEIGHTS = range(13, 1, -1)
twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def residue(first_twelve: str) -> int:
    return sum(int(digit) * weight for digit, weight in zip(first_twelve, WEIGHTS, strict=True)) % 11


def error_of(validate, raw: str, **kwargs) -> InvalidInput:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        validate(raw, **kwargs)
    return caught.value


def test_check_digit_matches_worked_examples():
    assert check_digit(VALID_NATIONAL_ID[:12]) == 0
    assert check_digit(VALID_JURISTIC_NUMBER[:12]) == 2
    # Residue 0 gives (11 - 0) mod 10 = 1: 1*13 + 3*3 = 22.
    assert check_digit("100000000030") == 1
    # Residue 10 also gives 1: 1*13 + 3*3 + 5*2 = 32 = 2*11 + 10.
    assert check_digit("100000000035") == 1


def test_valid_numbers_are_returned_as_thirteen_digits():
    assert validate_national_id(VALID_NATIONAL_ID) == VALID_NATIONAL_ID
    assert validate_juristic_number(VALID_JURISTIC_NUMBER) == VALID_JURISTIC_NUMBER


@pytest.mark.parametrize(
    "typed",
    [
        "1-1017-00203-45-0",
        "1 1017 00203 45 0",
        "  1101700203450  ",
        "1\u00a01017\u00a000203\u00a045\u00a00",
        "1-1017 00203-45 0",
    ],
)
def test_spaces_and_dashes_people_type_are_dropped(typed):
    assert normalise_id(typed) == VALID_NATIONAL_ID
    assert validate_national_id(typed) == VALID_NATIONAL_ID


@pytest.mark.parametrize("raw", ["", "   ", " - - ", None])
def test_an_empty_number_is_required(raw):
    error = error_of(validate_national_id, raw)
    assert error.as_dict() == {
        "code": "invalid_input",
        "message": "Enter the national ID number.",
        "fields": {"national_id": ["This is required."]},
    }


def test_errors_name_the_field_the_caller_chose():
    error = error_of(validate_juristic_number, "", field="company_number")
    assert error.message == "Enter the juristic person number."
    assert error.fields == {"company_number": ["This is required."]}


@pytest.mark.parametrize(
    "raw",
    [
        "๑๑๐๑๗๐๐๒๐๓๔๕๐",  # Thai digits: isdigit() is true for them, the check must still refuse them
        "110170020345๐",
        "11017002034a0",
        "1101700203.450",
        "1101700203450\n",
        "١١٠١٧٠٠٢٠٣٤٥٠",  # Arabic-Indic digits
    ],
)
def test_anything_but_ascii_digits_is_refused(raw):
    error = error_of(validate_national_id, raw)
    message = "The national ID number may contain only the digits 0 to 9."
    assert error.message == message
    assert error.fields == {"national_id": [message]}


@pytest.mark.parametrize(
    ("raw", "count"),
    [("1", 1), ("110170020345", 12), ("11017002034501", 14), ("1-1017-00203-45", 12), ("1" * 30, 30)],
)
def test_wrong_length_says_how_many_digits_were_entered(raw, count):
    error = error_of(validate_national_id, raw)
    message = f"The national ID number must have exactly 13 digits; you entered {count}."
    assert error.message == message
    assert error.fields == {"national_id": [message]}


def test_wrong_length_of_a_juristic_number_names_the_juristic_number():
    error = error_of(validate_juristic_number, "010556001234")
    assert error.message == "The juristic person number must have exactly 13 digits; you entered 12."


def test_a_wrong_check_digit_is_refused():
    error = error_of(validate_national_id, "1101700203451")
    message = "The national ID number is not valid: the last digit does not match. Please check each digit."
    assert error.message == message
    assert error.fields == {"national_id": [message]}
    assert error_of(validate_juristic_number, "0105560012343").message == (
        "The juristic person number is not valid: the last digit does not match. Please check each digit."
    )


def test_a_national_id_cannot_start_with_zero_but_a_juristic_number_can():
    number = make_valid_id("010170020345")
    error = error_of(validate_national_id, number)
    assert error.message == "A national ID number cannot start with 0."
    assert error.fields == {"national_id": ["A national ID number cannot start with 0."]}
    assert validate_juristic_number(number) == number


def test_the_third_digit_is_not_protected_by_the_check_digit():
    # Weight 11: 0 -> 9 at position 3 adds 99 = 9*11 to the sum. A known blind spot of the algorithm.
    changed = "11" + "9" + VALID_NATIONAL_ID[3:]
    assert validate_national_id(changed) == changed


def test_residues_zero_and_ten_share_check_digit_one():
    # Both worked out in test_check_digit_matches_worked_examples: one digit apart, both valid.
    assert validate_national_id("1000000000301") == "1000000000301"
    assert validate_national_id("1000000000351") == "1000000000351"


def test_format_groups_as_on_the_card():
    assert format_thai_id(VALID_NATIONAL_ID) == "1-1017-00203-45-0"
    assert format_thai_id("123") == "123"
    assert format_thai_id("") == ""


@given(twelve_digits)
def test_make_valid_id_always_validates(first_twelve):
    number = make_valid_id(first_twelve)
    assert len(number) == 13
    assert number[:12] == first_twelve
    assert validate_juristic_number(number) == number
    assert validate_juristic_number(format_thai_id(number)) == number
    if first_twelve[0] != "0":
        assert validate_national_id(number) == number


@given(twelve_digits)
def test_every_other_check_digit_fails(first_twelve):
    right = check_digit(first_twelve)
    # The rule as usually stated: 11 minus the remainder,
    # keeping only the last digit when that gives 10 or 11.
    expected = 11 - residue(first_twelve)
    assert right == (expected - 10 if expected >= 10 else expected)
    for wrong in sorted(set(range(10)) - {right}):
        with pytest.raises(InvalidInput):
            validate_juristic_number(first_twelve + str(wrong))


@given(twelve_digits, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_a_single_changed_digit_fails_exactly_when_the_arithmetic_says(first_twelve, position, step):
    number = make_valid_id(first_twelve)
    new_digit = (int(number[position]) + step) % 10  # always a different digit
    changed = number[:position] + str(new_digit) + number[position + 1 :]
    before, after = residue(number[:12]), residue(changed[:12])

    # The residue stays the same exactly at the third position (weight 11).
    assert (before == after) == (position == 2)
    undetectable = before == after or {before, after} == {0, 10}
    try:
        validate_juristic_number(changed)
        accepted = True
    except InvalidInput:
        accepted = False
    assert accepted == undetectable
