import pytest
from django.utils import translation

from pracha.core.money import baht_to_satang, bahttext, format_baht, satang_to_decimal_text


@pytest.mark.parametrize(
    ("satang", "thai", "english"),
    [
        (0, "0.00 บาท", "THB 0.00"),
        (1, "0.01 บาท", "THB 0.01"),
        (50, "0.50 บาท", "THB 0.50"),
        (10000, "100.00 บาท", "THB 100.00"),
        (1234550, "12,345.50 บาท", "THB 12,345.50"),
        (123456789, "1,234,567.89 บาท", "THB 1,234,567.89"),
        (-5, "-0.05 บาท", "THB -0.05"),
        (-123456, "-1,234.56 บาท", "THB -1,234.56"),
    ],
)
def test_format_baht(satang, thai, english):
    assert format_baht(satang, lang="th") == thai
    assert format_baht(satang, lang="en") == english


def test_format_baht_follows_the_active_language():
    with translation.override("th"):
        assert format_baht(250) == "2.50 บาท"
    with translation.override("en"):
        assert format_baht(250) == "THB 2.50"


@pytest.mark.parametrize(
    ("satang", "text"),
    [(0, "0.00"), (5, "0.05"), (30000, "300.00"), (123456789, "1234567.89"), (-150, "-1.50")],
)
def test_satang_to_decimal_text(satang, text):
    assert satang_to_decimal_text(satang) == text
    assert baht_to_satang(text.lstrip("-")) == abs(satang)  # it reads back


# Readings checked by hand against the rules for Thai numerals: เอ็ด for a final 1 after tens or
# higher (11, 21, 101, 1,000,001), ยี่สิบ for 20, ถ้วน when there are no satang.
@pytest.mark.parametrize(
    ("satang", "words"),
    [
        (0, "ศูนย์บาทถ้วน"),
        (50, "ห้าสิบสตางค์"),
        (1, "หนึ่งสตางค์"),
        (100, "หนึ่งบาทถ้วน"),
        (1100, "สิบเอ็ดบาทถ้วน"),
        (2000, "ยี่สิบบาทถ้วน"),
        (2100, "ยี่สิบเอ็ดบาทถ้วน"),
        (10100, "หนึ่งร้อยเอ็ดบาทถ้วน"),
        (100_000_000, "หนึ่งล้านบาทถ้วน"),
        (100_000_100, "หนึ่งล้านเอ็ดบาทถ้วน"),
        (2_100_000_000, "ยี่สิบเอ็ดล้านบาทถ้วน"),
        (123_456_789, "หนึ่งล้านสองแสนสามหมื่นสี่พันห้าร้อยหกสิบเจ็ดบาทแปดสิบเก้าสตางค์"),
        (2121, "ยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"),
        (-10000, "ลบหนึ่งร้อยบาทถ้วน"),
    ],
)
def test_bahttext(satang, words):
    assert bahttext(satang) == words


@pytest.mark.parametrize(
    ("typed", "satang"),
    [
        ("1,234.5", 123450),
        ("1234.50", 123450),
        ("1234", 123400),
        ("0.05", 5),
        (".5", 50),
        ("7.", 700),
        ("  12  ", 1200),
        ("100 บาท", 10000),
        ("1,000,000.99", 100000099),
    ],
)
def test_baht_to_satang(typed, satang):
    assert baht_to_satang(typed) == satang


@pytest.mark.parametrize(
    "typed",
    [
        "",
        " ",
        ".",
        "บาท",
        "abc",
        "1.234",
        "-5",
        "1.2.3",
        "12.x",
        "1 234",
        "1e3",
        "1,234.5a",
        "+5",
        "1,2,3",
        "12,34",
        "๑๒",
    ],
)
def test_baht_to_satang_refuses_what_is_not_an_amount(typed):
    with pytest.raises(ValueError, match="not an amount of baht"):
        baht_to_satang(typed)
