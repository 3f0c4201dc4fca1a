import pytest

from pracha.core.errors import InvalidInput
from pracha.core.text import clean_text, masked_name


def test_clean_text_strips_spaces_and_nul_characters():
    assert clean_text("  ชำระ\x00ซ้ำ \n", field="reason", limit=10, missing="Say why.") == "ชำระซ้ำ"
    assert clean_text("", field="note", limit=10, missing="", required=False) == ""


def test_clean_text_refuses_missing_and_overlong_text_on_the_field():
    with pytest.raises(InvalidInput) as missing:
        clean_text(" \x00 ", field="reason", limit=10, missing="Say why.")
    assert missing.value.fields == {"reason": ["Say why."]}
    with pytest.raises(InvalidInput) as too_long:
        clean_text("x" * 11, field="note", limit=10, missing="", required=False)
    assert str(too_long.value) == "Write at most 10 characters."
    assert too_long.value.fields == {"note": ["Write at most 10 characters."]}
    assert clean_text("x" * 10, field="note", limit=10, missing="") == "x" * 10


def test_names_are_masked_letter_by_letter():
    assert masked_name("สมชาย ใจดี") == "ส**** ใ***"
    assert masked_name("  Somchai   Jaidee ") == "S****** J*****"
    assert masked_name("") == ""
