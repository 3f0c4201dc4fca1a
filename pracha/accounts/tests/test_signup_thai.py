"""Every wrong sign-up value gets its message in Thai, the default language, on the field at fault.

The Thai messages are written out here rather than looked up in the catalogue, so a translation that is
missing, unchecked (fuzzy) or assembled wrongly from its parts ("%(label)s ...") fails the test.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from pracha.accounts.models import User
from pracha.accounts.tests.conftest import form_errors
from pracha.accounts.tests.test_signup import BAD_SIGNUP_INPUT, assert_nothing_created, signup_data

# The Thai of each English message of BAD_SIGNUP_INPUT.
THAI_MESSAGES = {
    "Enter the national ID number.": "กรุณากรอกเลขประจำตัวประชาชน",
    "The national ID number must have exactly 13 digits; you entered 5.": (
        "เลขประจำตัวประชาชนต้องมี 13 หลัก แต่ที่กรอกมามี 5 หลัก"
    ),
    "The national ID number may contain only the digits 0 to 9.": "เลขประจำตัวประชาชนต้องเป็นตัวเลข 0 ถึง 9 เท่านั้น",
    "The national ID number is not valid: the last digit does not match. Please check each digit.": (
        "เลขประจำตัวประชาชนไม่ถูกต้อง เพราะตัวเลขหลักสุดท้ายไม่ตรงกัน กรุณาตรวจสอบทีละหลัก"
    ),
    "A national ID number cannot start with 0.": "เลขประจำตัวประชาชนขึ้นต้นด้วย 0 ไม่ได้",
    "Enter your first name in Thai.": "กรุณากรอกชื่อภาษาไทย",
    "First name in Thai must be written in Thai letters only, for example สมชาย.": (
        "ชื่อภาษาไทยต้องเป็นตัวอักษรไทยเท่านั้น เช่น สมชาย"
    ),
    "First name in Thai must be 100 characters or fewer.": "ชื่อภาษาไทยต้องยาวไม่เกิน 100 ตัวอักษร",
    "Enter your last name in Thai.": "กรุณากรอกนามสกุลภาษาไทย",
    "Last name in Thai must be written in Thai letters only, for example สมชาย.": (
        "นามสกุลภาษาไทยต้องเป็นตัวอักษรไทยเท่านั้น เช่น สมชาย"
    ),
    "Enter your first name in English.": "กรุณากรอกชื่อภาษาอังกฤษ",
    "First name in English must use the letters A to Z only, as on the back of your ID card.": (
        "ชื่อภาษาอังกฤษต้องใช้ตัวอักษร A ถึง Z เท่านั้น ตามที่พิมพ์อยู่ด้านหลังบัตรประจำตัวประชาชน"
    ),
    "Enter your last name in English.": "กรุณากรอกนามสกุลภาษาอังกฤษ",
    "Last name in English must use the letters A to Z only, as on the back of your ID card.": (
        "นามสกุลภาษาอังกฤษต้องใช้ตัวอักษร A ถึง Z เท่านั้น ตามที่พิมพ์อยู่ด้านหลังบัตรประจำตัวประชาชน"
    ),
    "Last name in English must be 100 characters or fewer.": "นามสกุลภาษาอังกฤษต้องยาวไม่เกิน 100 ตัวอักษร",
    "Enter your date of birth.": "กรุณากรอกวันเกิด",
    "Date of birth must include a day, a month and a year, for example 15 1 2533.": (
        "กรุณากรอกวันเกิดให้ครบทั้งวัน เดือน และปี เช่น 15 1 2533"
    ),
    "Date of birth must be written in numbers, for example 15 1 2533.": "วันเกิดต้องกรอกเป็นตัวเลข เช่น 15 1 2533",
    "Year of birth must have 4 digits, for example 2533 or 1990.": "ปีเกิดต้องมี 4 หลัก เช่น 2533 หรือ 1990",
    "Date of birth must be a real date, for example 15 1 2533.": "วันเกิดต้องเป็นวันที่ที่มีอยู่จริง เช่น 15 1 2533",
    "Date of birth must be in the past.": "วันเกิดต้องเป็นวันที่ที่ผ่านมาแล้ว",
    "Date of birth must be in 1900 (2443 in the Buddhist era) or later.": (
        "วันเกิดต้องอยู่ในปี พ.ศ. 2443 (ค.ศ. 1900) หรือหลังจากนั้น"
    ),
    "Enter your mobile phone number.": "กรุณากรอกหมายเลขโทรศัพท์มือถือ",
    "Mobile phone number may contain only the digits 0 to 9, for example 081 234 5678.": (
        "หมายเลขโทรศัพท์มือถือต้องเป็นตัวเลข 0 ถึง 9 เท่านั้น เช่น 081 234 5678"
    ),
    "Enter a Thai mobile phone number: 10 digits starting with 06, 08 or 09, for example 081 234 5678.": (
        "กรุณากรอกหมายเลขโทรศัพท์มือถือของไทย 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081 234 5678"
    ),
    "Enter your e-mail address.": "กรุณากรอกอีเมล",
    "Enter an e-mail address in the right format, for example name@example.com.": (
        "กรุณากรอกอีเมลให้ถูกรูปแบบ เช่น name@example.com"
    ),
    "Enter a password.": "กรุณากรอกรหัสผ่าน",
    # Django's message, translated in Pracha's catalogue (pracha/core/upstream_messages.py).
    "This password is too short. It must contain at least 10 characters.": (
        "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 10 ตัวอักษร"
    ),
    "Enter the same password again.": "กรุณากรอกรหัสผ่านเดิมอีกครั้ง",
    # allauth's message, in allauth's own Thai catalogue.
    "You must type the same password each time.": "ต้องพิมพ์รหัสผ่านเดิมซ้ำอีกครั้ง",
}


def test_every_bad_signup_input_has_its_thai_message() -> None:
    assert set(THAI_MESSAGES) == {message for _field, _posted, message in BAD_SIGNUP_INPUT}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "posted", "message"), BAD_SIGNUP_INPUT)
def test_bad_signup_input_names_the_field_in_thai_and_creates_nothing(
    field: str, posted: dict[str, str], message: str
) -> None:
    thai = THAI_MESSAGES[message]
    users_before = User.objects.count()

    response = Client().post(reverse("account_signup"), signup_data(**posted))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "th"
    assert form_errors(response) == {field: [thai]}
    assert (
        f'<p id="id_{field}-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">ข้อผิดพลาด:</span> {escape(thai)}</p>'
    ) in response.content.decode()
    assert User.objects.count() == users_before
    assert_nothing_created()
