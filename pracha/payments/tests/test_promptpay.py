"""PromptPay payloads against payloads published by other implementations, and the parser's refusals.

Every expected payload below is copied from the named public source, never produced by this code.
Most published tag-29 generators write tag 58 before 53, or 54 after 58; EMVCo leaves the order of
those fields free and ours writes ascending tags, so such vectors are compared field by field (and
their CRC is checked as published), while vectors in ascending order are compared character for
character.
"""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pracha.payments.promptpay import (
    PayloadError,
    bill_payment_payload,
    crc16_ccitt_false,
    parse,
    personal_transfer_payload,
)

# The issue's known-good bill payment (tag 30), no amount.
ISSUE_VECTOR = "00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7"


def without_crc(payload: str, *drop: str) -> dict[str, str]:
    fields = dict(parse(payload).fields)
    for tag in ("63", *drop):
        fields.pop(tag, None)
    return fields


def with_crc(body: str) -> str:
    """Seal a hand-made payload body (ending in "6304") with its CRC, for the parser's refusals."""
    return f"{body}{crc16_ccitt_false(body.encode()):04X}"


# --- CRC ---------------------------------------------------------------------------------------------


def test_crc_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        # kittinan/php-promptpay-qr tests/PromptPayTest.php, testCrc16
        ("00020101021129370016A000000677010111011300660000000005802TH53037646304", 0x8956),
        ("00020101021129370016A000000677010111011300668999999995802TH53037646304", 0xFE29),
    ],
)
def test_crc_of_published_payload_bodies(data, crc):
    assert crc16_ccitt_false(data.encode()) == crc


# --- building: character for character ------------------------------------------------------------


def test_bill_payment_matches_the_issue_vector():
    assert bill_payment_payload(biller_id="099999999999990", ref1="111222333444") == ISSUE_VECTOR


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # Jdemon/thaiqr promptpayqr_test.go, TestGeneratePromptPayMobileNoWithoutAmount
        (
            {"mobile": "0909764856"},
            "00020101021129370016A0000006770101110113006690976485653037645802TH63044D1B",
        ),
        # Jdemon/thaiqr promptpayqr_test.go, TestGeneratePromptPayCIDWithoutAmount
        (
            {"national_id": "1100601467182"},
            "00020101021129370016A0000006770101110213110060146718253037645802TH6304C7EE",
        ),
    ],
)
def test_personal_transfer_matches_published_payloads(arguments, expected):
    assert personal_transfer_payload(**arguments) == expected


# --- building: field for field ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "published"),
    [
        # dtinth/promptpay-qr index.test.js
        ({"mobile": "0801234567"},
         "00020101021129370016A000000677010111011300668012345675802TH530376463046197"),
        ({"mobile": "089-123-4567"},  # given there as +66-89-123-4567
         "00020101021129370016A000000677010111011300668912345675802TH5303764630429C1"),
        ({"national_id": "1111111111111"},
         "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A"),
        ({"national_id": "0123456789012"},
         "00020101021129370016A000000677010111021301234567890125802TH530376463040CBD"),
        ({"mobile": "000-000-0000", "amount_satang": 422},
         "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"),
        # kittinan/php-promptpay-qr tests/PromptPayTest.php, testGeneratePayload
        ({"mobile": "089-123-4567", "amount_satang": 1337133775},
         "00020101021229370016A000000677010111011300668912345675802TH5303764541113371337.756304B7D7"),
        ({"national_id": "1234567890123", "amount_satang": 42000},
         "00020101021229370016A000000677010111021312345678901235802TH53037645406420.006304BF7B"),
        # jojoee/promptpay tests/test_qrcode_generate_payload.py
        ({"mobile": "0801234567", "amount_satang": 45625},
         "00020101021229370016A000000677010111011300668012345675802TH53037645406456.256304483D"),
        ({"national_id": "8512819188690", "amount_satang": 54123},
         "00020101021229370016A000000677010111021385128191886905802TH53037645406541.23630437F5"),
        # Jdemon/thaiqr promptpayqr_test.go, TestGeneratePromptPayMobileNo and TestGeneratePromptPayCID
        ({"mobile": "0909764856", "amount_satang": 1000},
         "00020101021229370016A0000006770101110113006690976485653037645802TH540510.006304CF65"),
        ({"national_id": "1100601467182", "amount_satang": 1000},
         "00020101021229370016A0000006770101110213110060146718253037645802TH540510.0063049A7C"),
    ],
)  # fmt: skip
def test_personal_transfer_has_the_fields_of_published_payloads(arguments, published):
    assert without_crc(personal_transfer_payload(**arguments)) == without_crc(published)


@pytest.mark.parametrize(
    ("biller_id", "published"),
    [
        # kazekim/promptpay-qr-go promptpayqr_test.go and Jdemon/thaiqr promptpayqr_test.go (SCB)
        ("311040039475101",
         "00020101021230570016A00000067701011201153110400394751010206REF0010304REF253037645406555.555802TH62100706SCB001630437C6"),
        # kazekim/promptpay-qr-go promptpayqr_test.go (an earlier version)
        ("123456789012345",
         "00020101021230570016A00000067701011201151234567890123450206REF0010304REF253037645406555.555802TH62100706ABC0016304D3C4"),
    ],
)  # fmt: skip
def test_bill_payment_with_ref2_and_amount_has_the_fields_of_published_payloads(biller_id, published):
    ours = bill_payment_payload(biller_id=biller_id, ref1="REF001", ref2="REF2", amount_satang=55555)
    # The published payloads also carry a terminal ID (tag 62), which bills do not have.
    assert without_crc(ours) == without_crc(published, "62")
    assert ours == with_crc(published.split("5802TH")[0] + "5802TH6304")


# --- parsing -----------------------------------------------------------------------------------------


def test_parse_the_issue_vector():
    parsed = parse(ISSUE_VECTOR)
    assert parsed.kind == "bill_payment"
    assert parsed.point_of_initiation == "11"
    assert (parsed.biller_id, parsed.ref1, parsed.ref2) == ("099999999999990", "111222333444", "")
    assert parsed.amount_satang is None
    assert (parsed.currency, parsed.country) == ("764", "TH")
    assert parsed.fields == {
        "00": "01",
        "01": "11",
        "30": "0016A00000067701011201150999999999999900212111222333444",
        "53": "764",
        "58": "TH",
        "63": "3EE7",
    }


def test_parse_a_published_bill_payment_with_terminal_id():
    # kazekim/promptpay-qr-go promptpayqr_test.go
    parsed = parse(
        "00020101021230570016A00000067701011201153110400394751010206REF0010304REF2"
        "53037645406555.555802TH62100706SCB001630437C6"
    )
    assert parsed.kind == "bill_payment"
    assert parsed.point_of_initiation == "12"
    assert (parsed.biller_id, parsed.ref1, parsed.ref2) == ("311040039475101", "REF001", "REF2")
    assert parsed.amount_satang == 55555
    assert parsed.fields["62"] == "0706SCB001"


@pytest.mark.parametrize(
    ("published", "mobile", "national_id", "ewallet_id", "amount_satang"),
    [
        # dtinth/promptpay-qr index.test.js
        ("00020101021129370016A000000677010111011300668912345675802TH5303764630429C1",
         "0891234567", "", "", None),
        ("00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
         "0000000000", "", "", 422),
        # kittinan/php-promptpay-qr tests/PromptPayTest.php
        ("00020101021229370016A000000677010111021312345678901235802TH53037645406420.006304BF7B",
         "", "1234567890123", "", 42000),
        # Jdemon/thaiqr promptpayqr_test.go, TestGeneratePromptPayEWallet
        ("00020101021229390016A000000677010111031500499901428007653037645802TH540510.0063046D71",
         "", "", "004999014280076", 1000),
    ],
)  # fmt: skip
def test_parse_published_personal_transfers(published, mobile, national_id, ewallet_id, amount_satang):
    parsed = parse(published)
    assert parsed.kind == "personal_transfer"
    assert (parsed.mobile, parsed.national_id, parsed.ewallet_id) == (mobile, national_id, ewallet_id)
    assert parsed.amount_satang == amount_satang
    assert (parsed.biller_id, parsed.ref1, parsed.ref2) == ("", "", "")


def test_parse_accepts_a_lowercase_crc():
    assert parse(ISSUE_VECTOR[:-4] + "3ee7").fields["63"] == "3ee7"


@pytest.mark.parametrize(
    ("amount_text", "satang"), [("1", 100), ("10.5", 1050), ("0.07", 7), ("9999999999.99", 999999999999)]
)
def test_parse_reads_amounts_exactly(amount_text, satang):
    amount = f"54{len(amount_text):02d}{amount_text}"
    body = "00020101021229370016A00000067701011101130066812345678" + "5303764" + amount + "5802TH6304"
    assert parse(with_crc(body)).amount_satang == satang


# --- round trips ---------------------------------------------------------------------------------------


def test_round_trip_bill_payment_with_everything():
    payload = bill_payment_payload(
        biller_id="099999000000101", ref1="2569000123", ref2="APP2569000123", amount_satang=30000
    )
    parsed = parse(payload)
    assert (parsed.biller_id, parsed.ref1, parsed.ref2) == ("099999000000101", "2569000123", "APP2569000123")
    assert parsed.amount_satang == 30000
    assert parsed.fields["54"] == "300.00"
    assert parsed.point_of_initiation == "12"


def test_round_trip_landline_number():
    parsed = parse(personal_transfer_payload(mobile="021234567"))
    assert parsed.fields["29"] == "0016A0000006770101110113" + "0006621234567"
    assert parsed.mobile == "021234567"


DIGITS = "0123456789"
REFERENCE = st.text(alphabet=DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=20)


@given(
    biller_id=st.text(alphabet=DIGITS, min_size=15, max_size=15),
    ref1=REFERENCE,
    ref2=st.one_of(st.just(""), REFERENCE),
    amount_satang=st.one_of(st.none(), st.integers(min_value=1, max_value=10**12 - 1)),
)
def test_round_trip_property(biller_id, ref1, ref2, amount_satang):
    parsed = parse(
        bill_payment_payload(biller_id=biller_id, ref1=ref1, ref2=ref2, amount_satang=amount_satang)
    )
    assert (parsed.biller_id, parsed.ref1, parsed.ref2, parsed.amount_satang) == (
        biller_id,
        ref1,
        ref2,
        amount_satang,
    )
    assert parsed.point_of_initiation == ("11" if amount_satang is None else "12")


# --- the parser's refusals ------------------------------------------------------------------------------


def refusal(payload: str) -> str:
    with pytest.raises(PayloadError) as caught:
        parse(payload)
    return str(caught.value)


def test_rejects_a_bad_crc():
    assert refusal(ISSUE_VECTOR[:-4] + "3EE8") == "The CRC is 3EE8, but the payload's contents give 3EE7."


def test_rejects_a_crc_that_is_not_hexadecimal():
    assert refusal(ISSUE_VECTOR[:-4] + "3EEG") == "The CRC (tag 63) is '3EEG', not 4 hexadecimal digits."


def test_rejects_a_length_that_is_not_two_digits():
    assert (
        refusal(ISSUE_VECTOR.replace("5802TH", "58X2TH"))
        == "The length of tag 58 in the payload is 'X2', not two digits."
    )


def test_rejects_a_length_that_runs_past_the_end():
    assert (
        refusal(ISSUE_VECTOR.replace("63043EE7", "63053EE7"))
        == "Tag 63 in the payload says it is 5 characters long, but only 4 are left."
    )


def test_rejects_a_length_that_runs_past_the_end_of_tag_30():
    # Sub-tag 02 claims 13 characters where tag 30 has 12 left.
    body = (
        "000201010211"
        + "3055"
        + "0016A0000006770101120115099999999999990"
        + "0213111222333444"
        + "53037645802TH6304"
    )
    assert refusal(with_crc(body)) == "Tag 02 in tag 30 says it is 13 characters long, but only 12 are left."


def test_rejects_a_missing_tag():
    body = "00020101021130550016A0000006770101120115099999999999990021211122233344453037646304"
    assert refusal(with_crc(body)) == "The payload has no tag 58 (country)."


def test_rejects_a_missing_crc():
    assert refusal(ISSUE_VECTOR[:-8]) == "The payload has no CRC (tag 63)."


def test_rejects_a_crc_that_is_not_last():
    assert (
        refusal(ISSUE_VECTOR.replace("5802TH", "") + "5802TH")
        == "The CRC (tag 63) must be the last field and 4 characters long."
    )


def test_rejects_a_payload_cut_in_the_middle_of_a_tag():
    assert refusal("000201010") == "The field at position 6 of the payload is cut short."


def test_rejects_a_payload_without_an_account():
    assert refusal(with_crc("00020101021153037645802TH6304")) == (
        "The payload must have exactly one of tag 29 (PromptPay transfer) and tag 30 (bill payment)."
    )


def test_rejects_an_unknown_application_id():
    body = (
        "000201010211" + "3055" + "0016A0000006770101990115099999999999990021211122233344453037645802TH6304"
    )
    assert refusal(with_crc(body)) == "Tag 30 has an unknown application ID 'A000000677010199'."


def test_rejects_a_bill_payment_without_reference_1():
    body = "000201010211" + "3039" + "0016A000000677010112" + "0115099999999999990" + "53037645802TH6304"
    assert refusal(with_crc(body)) == "Tag 30 has no Reference 1 (sub-tag 02)."


def test_rejects_an_amount_that_is_not_a_number():
    body = "00020101021229370016A0000006770101110113006681234567853037645406ABC.DE5802TH6304"
    assert (
        refusal(with_crc(body)) == "The amount (tag 54) is 'ABC.DE', not a number with at most two decimals."
    )


def test_rejects_a_wrong_format_indicator():
    assert refusal(with_crc(ISSUE_VECTOR[:-4].replace("000201", "000202", 1))) == (
        "The payload format indicator (tag 00) is '02', not '01'."
    )


def test_rejects_a_payload_that_does_not_start_with_tag_00():
    body = "010211000201" + ISSUE_VECTOR[12:-4]
    assert refusal(with_crc(body)) == "The payload must start with tag 00 (payload format indicator)."


# --- the builder's refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"biller_id": "09999999999999", "ref1": "1"},
         "the biller ID must be 15 digits, not '09999999999999'"),
        ({"biller_id": "099999999999990", "ref1": ""},
         "Reference 1 must be 1 to 20 upper-case letters or digits, not ''"),
        ({"biller_id": "099999999999990", "ref1": "app-1"},
         "Reference 1 must be 1 to 20 upper-case letters or digits, not 'app-1'"),
        ({"biller_id": "099999999999990", "ref1": "1", "ref2": "A" * 21},
         f"Reference 2 must be 1 to 20 upper-case letters or digits, not {'A' * 21!r}"),
        ({"biller_id": "099999999999990", "ref1": "1", "amount_satang": 0},
         "the amount must be between 1 and 999999999999 satang, not 0"),
        ({"biller_id": "099999999999990", "ref1": "1", "amount_satang": 10**12},
         "the amount must be between 1 and 999999999999 satang, not 1000000000000"),
        ({"biller_id": "099999999999990", "ref1": "1", "amount_satang": 3.5},
         "the amount must be an integer number of satang, not 3.5"),
    ],
)  # fmt: skip
def test_bill_payment_refuses_bad_input(arguments, message):
    with pytest.raises(ValueError) as caught:
        bill_payment_payload(**arguments)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give either a mobile number or a national ID, not both or neither"),
        ({"mobile": "0812345678", "national_id": "1111111111111"},
         "give either a mobile number or a national ID, not both or neither"),
        ({"mobile": "812345678"},
         "the mobile number must be 9 or 10 digits starting with 0, not '812345678'"),
        ({"national_id": "123"}, "the national ID must be 13 digits, not '123'"),
    ],
)  # fmt: skip
def test_personal_transfer_refuses_bad_input(arguments, message):
    with pytest.raises(ValueError) as caught:
        personal_transfer_payload(**arguments)
    assert str(caught.value) == message


@given(st.text(max_size=120) | st.text(alphabet=DIGITS + "A.", max_size=120))
def test_parser_refuses_junk_only_with_payload_error(text):
    # The bank simulator hands the parser whatever a person pasted.
    with contextlib.suppress(PayloadError):
        parse(text)


@given(st.integers(min_value=0, max_value=len(ISSUE_VECTOR) - 1), st.characters(max_codepoint=127))
def test_parser_notices_any_changed_character(position, character):
    # A CRC-16 catches every error confined to 16 consecutive bits, so one changed ASCII character always.
    changed = ISSUE_VECTOR[:position] + character + ISSUE_VECTOR[position + 1 :]
    if changed != ISSUE_VECTOR:
        with pytest.raises(PayloadError):
            parse(changed)
