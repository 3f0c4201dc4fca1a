"""SMS length counted as the phone counts it."""

import pytest

from pracha.notifications.sms import SmsLength, sms_length

THAI = "ก"


@pytest.mark.parametrize(
    ("characters", "parts", "per_part"),
    [(1, 1, 70), (70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67), (201, 3, 67), (202, 4, 67)],
)
def test_thai_text_is_ucs2_70_in_one_part_then_67_a_part(characters, parts, per_part):
    assert sms_length(THAI * characters) == SmsLength(
        encoding="UCS-2", characters=characters, parts=parts, per_part=per_part
    )


@pytest.mark.parametrize(
    ("characters", "parts", "per_part"),
    [(1, 1, 160), (160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153)],
)
def test_plain_english_is_gsm7_160_in_one_part_then_153_a_part(characters, parts, per_part):
    assert sms_length("a" * characters) == SmsLength(
        encoding="GSM-7", characters=characters, parts=parts, per_part=per_part
    )


@pytest.mark.parametrize("character", list("^{}\\[~]|€"))
def test_an_extension_character_counts_two(character):
    assert sms_length(character) == SmsLength(encoding="GSM-7", characters=2, parts=1, per_part=160)
    assert sms_length("a" * 158 + character).parts == 1
    assert sms_length("a" * 159 + character) == SmsLength(
        encoding="GSM-7", characters=161, parts=2, per_part=153
    )


def test_gsm_basic_set_beyond_ascii_stays_gsm7():
    assert sms_length("Ça coûte £5 à Zürich @ 10:00").encoding == "UCS-2"  # û is not in GSM 03.38
    assert sms_length("Ça coute £5 à Zürich @ 10:00") == SmsLength(
        encoding="GSM-7", characters=28, parts=1, per_part=160
    )


def test_one_character_outside_gsm_makes_the_whole_message_ucs2():
    assert sms_length("a" * 69 + "ก") == SmsLength(encoding="UCS-2", characters=70, parts=1, per_part=70)
    assert sms_length("a" * 70 + "ก").parts == 2


def test_thai_text_with_an_emoji_counts_the_surrogate_pair_as_two():
    text = "สวัสดีครับ 😀"  # 10 Thai characters, a space and one emoji outside the BMP
    assert len(text) == 12
    assert sms_length(text) == SmsLength(encoding="UCS-2", characters=13, parts=1, per_part=70)
    assert sms_length(THAI * 68 + "😀") == SmsLength(encoding="UCS-2", characters=70, parts=1, per_part=70)
    assert sms_length(THAI * 69 + "😀") == SmsLength(encoding="UCS-2", characters=71, parts=2, per_part=67)


def test_empty_text_takes_no_part():
    assert sms_length("") == SmsLength(encoding="GSM-7", characters=0, parts=0, per_part=160)


def test_an_extension_character_is_never_split_between_two_parts():
    # 152 letters leave one septet in the first part: the escape and its € go to the second.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_length(text) == SmsLength(encoding="GSM-7", characters=306, parts=3, per_part=153)
    assert sms_length("a" * 151 + "€" + "a" * 153).parts == 2


def test_an_emoji_is_never_split_between_two_parts():
    # 66 Thai characters leave one UTF-16 unit in the first part: the surrogate pair goes to the second.
    text = THAI * 66 + "😀" + THAI * 66
    assert sms_length(text) == SmsLength(encoding="UCS-2", characters=134, parts=3, per_part=67)
    assert sms_length(THAI * 65 + "😀" + THAI * 67).parts == 2
