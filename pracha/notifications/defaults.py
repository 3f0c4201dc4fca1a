"""The default text of every kind of message, for each of its channels, in Thai and in English. An
officer with "notifications.templates" may replace any of them (a Template row); resetting one brings
the default back.

How they are written: plain, polite, short sentences; no names, no ID numbers, only what the person
needs to act; every one tells how to recognise a genuine message from ((domain)). SMS never carries a
link (Thai banks and agencies stopped sending links by SMS after the fraud waves of 2022, and people are
told a link in an SMS is a fake): it names the domain to type instead. With real values (a reference
like APP-2569-000123, the domain pracha.example) the common SMS fit one part (Thai is UCS-2: 70
characters in one part, 67 in each part of two); an agency's own notice and the code take two at most.
"""

from pracha.notifications.kinds import EMAIL, INAPP, SMS

# kind -> channel -> language -> (subject, body)
Texts = dict[str, dict[str, dict[str, tuple[str, str]]]]

EMAIL_FOOTER = {
    "th": (
        "\n\n--\n"
        "ข้อความนี้ส่งจาก ((domain)) โดยอัตโนมัติ กรุณาอย่าตอบกลับ\n"
        "ข้อความจริงจากเราจะอยู่ในกล่องข้อความของคุณที่ ((domain)) ด้วยเสมอ "
        "หากไม่แน่ใจ ให้พิมพ์ ((domain)) ในเบราว์เซอร์เอง\n"
        "เราไม่ขอรหัสผ่านหรือรหัส OTP ทางอีเมล"
    ),
    "en": (
        "\n\n--\n"
        "This message was sent automatically by ((domain)). Please do not reply to it.\n"
        "Every genuine message from us is also in your inbox at ((domain)). "
        "If in doubt, type ((domain)) into your browser yourself.\n"
        "We never ask for your password or a one-time code by e-mail."
    ),
}
# Messages from an agency's system reach people who may have no account, so there is no inbox to check.
NOTICE_FOOTER = {
    "th": (
        "\n\n--\n"
        "ข้อความนี้ส่งผ่าน ((domain)) กรุณาอย่าตอบกลับ\n"
        "หากไม่แน่ใจ ให้พิมพ์ ((domain)) ในเบราว์เซอร์เอง อย่ากดลิงก์ในข้อความที่สงสัย\n"
        "เราไม่ขอรหัสผ่านหรือรหัส OTP ทางอีเมล"
    ),
    "en": (
        "\n\n--\n"
        "This message was sent through ((domain)). Please do not reply to it.\n"
        "If in doubt, type ((domain)) into your browser yourself rather than following a link.\n"
        "We never ask for your password or a one-time code by e-mail."
    ),
}
INAPP_FOOTER = {
    "th": "\n\nข้อความจริงจาก ((domain)) จะอยู่ในกล่องข้อความนี้เสมอ",
    "en": "\n\nEvery genuine message from ((domain)) is in this inbox.",
}
# Short, so that the common messages fit one SMS part (70 characters of Thai) with real values.
SMS_FOOTER = {
    "th": " ดูที่ ((domain)) เราไม่ส่งลิงก์",
    "en": " See ((domain)). We never send links.",
}


def _email(th: tuple[str, str], en: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return {
        "th": (th[0], th[1] + EMAIL_FOOTER["th"]),
        "en": (en[0], en[1] + EMAIL_FOOTER["en"]),
    }


def _inapp(th: tuple[str, str], en: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return {
        "th": (th[0], th[1] + INAPP_FOOTER["th"]),
        "en": (en[0], en[1] + INAPP_FOOTER["en"]),
    }


def _sms(th: str, en: str) -> dict[str, tuple[str, str]]:
    return {"th": ("", th + SMS_FOOTER["th"]), "en": ("", en + SMS_FOOTER["en"])}


DEFAULTS: Texts = {
    "application_received": {
        INAPP: _inapp(
            (
                "ได้รับคำขอ ((reference)) แล้ว",
                "เราได้รับคำขอ ((service)) เลขที่ ((reference)) แล้ว เจ้าหน้าที่จะตรวจสอบและแจ้งผลให้ทราบ",
            ),
            (
                "Application ((reference)) received",
                "We have received your application for ((service)), number ((reference)). "
                "An officer will check it and let you know the result.",
            ),
        ),
        EMAIL: _email(
            (
                "ได้รับคำขอ ((reference)) แล้ว",
                "เราได้รับคำขอ ((service)) ของคุณแล้ว\n"
                "เลขที่คำขอ: ((reference))\n\n"
                "เจ้าหน้าที่จะตรวจสอบและแจ้งผลให้ทราบ ติดตามสถานะได้ที่\n((link))",
            ),
            (
                "Application ((reference)) received",
                "We have received your application for ((service)).\n"
                "Application number: ((reference))\n\n"
                "An officer will check it and let you know the result. You can follow it here:\n((link))",
            ),
        ),
        SMS: _sms(
            "ได้รับคำขอ ((reference)) แล้ว",
            "We have received your application ((reference)).",
        ),
    },
    "application_sent_back": {
        INAPP: _inapp(
            (
                "คำขอ ((reference)) ต้องดำเนินการเพิ่มเติม",
                "คำขอ ((service)) เลขที่ ((reference)) ต้องดำเนินการเพิ่มเติมก่อนพิจารณาต่อ กรุณาดูรายละเอียดที่หน้าคำขอ",
            ),
            (
                "Application ((reference)) needs something more from you",
                "Your application for ((service)), number ((reference)), needs something more from you "
                "before it can go further. Please see what the officer asks for on the application's page.",
            ),
        ),
        EMAIL: _email(
            (
                "คำขอ ((reference)) ต้องดำเนินการเพิ่มเติม",
                "คำขอ ((service)) เลขที่ ((reference)) ต้องดำเนินการเพิ่มเติมก่อนพิจารณาต่อ\n\n"
                "กรุณาดูรายละเอียดได้ที่\n((link))",
            ),
            (
                "Application ((reference)) needs something more from you",
                "Your application for ((service)), number ((reference)), needs something more from you "
                "before it can go further.\n\nPlease see what the officer asks for here:\n((link))",
            ),
        ),
        # "ดูที่" folded into the sentence keeps the Thai text in one part.
        SMS: {
            "th": ("", "คำขอ ((reference)) รอคุณดำเนินการที่ ((domain)) เราไม่ส่งลิงก์"),
            "en": ("", "Your application ((reference)) needs something more from you." + SMS_FOOTER["en"]),
        },
    },
    "application_approved": {
        INAPP: _inapp(
            (
                "คำขอ ((reference)) ได้รับอนุมัติ",
                "คำขอ ((service)) เลขที่ ((reference)) ได้รับอนุมัติแล้ว ดูขั้นตอนต่อไปได้ที่หน้าคำขอ",
            ),
            (
                "Application ((reference)) approved",
                "Your application for ((service)), number ((reference)), has been approved. "
                "See what happens next on the application's page.",
            ),
        ),
        EMAIL: _email(
            (
                "คำขอ ((reference)) ได้รับอนุมัติ",
                "คำขอ ((service)) เลขที่ ((reference)) ได้รับอนุมัติแล้ว\n\nดูรายละเอียดและขั้นตอนต่อไปได้ที่\n((link))",
            ),
            (
                "Application ((reference)) approved",
                "Your application for ((service)), number ((reference)), has been approved.\n\n"
                "See the details and what happens next here:\n((link))",
            ),
        ),
        SMS: _sms(
            "คำขอ ((reference)) อนุมัติแล้ว",
            "Your application ((reference)) has been approved.",
        ),
    },
    "application_rejected": {
        INAPP: _inapp(
            (
                "ผลการพิจารณาคำขอ ((reference))",
                "คำขอ ((service)) เลขที่ ((reference)) ไม่ได้รับอนุมัติ ดูเหตุผลและสิ่งที่คุณทำได้ต่อไปที่หน้าคำขอ",
            ),
            (
                "Decision on application ((reference))",
                "Your application for ((service)), number ((reference)), has been refused. "
                "See the reasons and what you can do next on the application's page.",
            ),
        ),
        EMAIL: _email(
            (
                "ผลการพิจารณาคำขอ ((reference))",
                "คำขอ ((service)) เลขที่ ((reference)) ไม่ได้รับอนุมัติ\n\nดูเหตุผลและสิ่งที่คุณทำได้ต่อไปที่\n((link))",
            ),
            (
                "Decision on application ((reference))",
                "Your application for ((service)), number ((reference)), has been refused.\n\n"
                "See the reasons and what you can do next here:\n((link))",
            ),
        ),
        SMS: _sms(
            "คำขอ ((reference)) พิจารณาแล้ว",
            "There is a decision on your application ((reference)).",
        ),
    },
    "payment_due": {
        INAPP: _inapp(
            (
                "ค่าธรรมเนียมรอชำระ ((amount))",
                "((description)) จำนวน ((amount)) กรุณาชำระภายในวันที่ ((due_date)) "
                "ใบแจ้งชำระเงินเลขที่ ((reference)) ชำระด้วยพร้อมเพย์ หรือที่เคาน์เตอร์ของหน่วยงานก็ได้",
            ),
            (
                "A fee of ((amount)) is waiting for your payment",
                "((description)): ((amount)). Please pay by ((due_date)). Bill number ((reference)). "
                "You can pay with PromptPay, or at the agency's counter.",
            ),
        ),
        EMAIL: _email(
            (
                "กรุณาชำระค่าธรรมเนียมภายในวันที่ ((due_date))",
                "((description))\n"
                "จำนวนเงิน: ((amount))\n"
                "ใบแจ้งชำระเงินเลขที่: ((reference))\n"
                "กรุณาชำระภายในวันที่ ((due_date))\n\n"
                "ชำระด้วยพร้อมเพย์ได้ที่\n((link))\n\n"
                "หรือชำระที่เคาน์เตอร์ของหน่วยงาน โดยแจ้งเลขที่ใบแจ้งชำระเงิน",
            ),
            (
                "Please pay your fee by ((due_date))",
                "((description))\n"
                "Amount: ((amount))\n"
                "Bill number: ((reference))\n"
                "Please pay by ((due_date)).\n\n"
                "You can pay with PromptPay here:\n((link))\n\n"
                "Or pay at the agency's counter, giving the bill number.",
            ),
        ),
        SMS: _sms(
            # Amount and date only: the bill's number or what it is for would take the Thai text to two
            # parts. "ชำระ 300.00 บาท ภายใน 24 พ.ย. 2569" and the footer make 70 characters, one part; a
            # fee of 1,000 baht or more, or a longer month (มี.ค.), takes two.
            "ชำระ ((amount)) ภายใน ((due_date))",
            "Please pay your fee of ((amount)) by ((due_date)).",
        ),
    },
    "payment_received": {
        INAPP: _inapp(
            (
                "ได้รับชำระเงินแล้ว",
                "เราได้รับเงิน ((amount)) สำหรับ ((description)) แล้ว ใบเสร็จเลขที่ ((receipt_number))",
            ),
            (
                "Payment received",
                "We have received your payment of ((amount)) for ((description)). "
                "Receipt number ((receipt_number)).",
            ),
        ),
        EMAIL: _email(
            (
                "ได้รับชำระเงินแล้ว ใบเสร็จ ((receipt_number))",
                "เราได้รับเงิน ((amount)) สำหรับ ((description)) แล้ว\n"
                "ใบเสร็จเลขที่: ((receipt_number))\n\n"
                "ดูและดาวน์โหลดใบเสร็จได้ที่\n((link))",
            ),
            (
                "Payment received: receipt ((receipt_number))",
                "We have received your payment of ((amount)) for ((description)).\n"
                "Receipt number: ((receipt_number))\n\n"
                "You can see and download the receipt here:\n((link))",
            ),
        ),
        SMS: _sms(
            # The receipt's number would take the Thai text to two parts; the receipt is on the site.
            "ได้รับชำระเงิน ((amount)) แล้ว",
            "We have received your payment of ((amount)).",
        ),
    },
    "document_ready": {
        INAPP: _inapp(
            (
                "((title)) พร้อมแล้ว",
                "((title)) เลขที่ ((number)) ลงนามแล้วและพร้อมใช้ ดาวน์โหลดได้ที่เอกสารของฉัน",
            ),
            (
                "Your ((title)) is ready",
                "Your ((title)), number ((number)), has been signed and is ready to use. "
                "You can download it from My documents.",
            ),
        ),
        EMAIL: _email(
            (
                "((title)) พร้อมแล้ว",
                "((title)) เลขที่ ((number)) ลงนามแล้วและพร้อมใช้\n\nดาวน์โหลดได้ที่\n((link))",
            ),
            (
                "Your ((title)) is ready",
                "Your ((title)), number ((number)), has been signed and is ready to use.\n\n"
                "You can download it here:\n((link))",
            ),
        ),
        SMS: _sms(
            "เอกสาร ((number)) พร้อมแล้ว",
            "Your document ((number)) is ready.",
        ),
    },
    "document_revoked": {
        INAPP: _inapp(
            (
                "เอกสาร ((number)) ถูกเพิกถอน",
                "((title)) เลขที่ ((number)) ถูกเพิกถอนและใช้ไม่ได้อีกต่อไป เหตุผล: ((reason))",
            ),
            (
                "Document ((number)) revoked",
                "Your ((title)), number ((number)), has been revoked and can no longer be used. "
                "Reason: ((reason))",
            ),
        ),
        EMAIL: _email(
            (
                "เอกสาร ((number)) ถูกเพิกถอน",
                "((title)) เลขที่ ((number)) ถูกเพิกถอนและใช้ไม่ได้อีกต่อไป\n"
                "เหตุผล: ((reason))\n\n"
                "ดูรายละเอียดได้ที่\n((link))",
            ),
            (
                "Document ((number)) revoked",
                "Your ((title)), number ((number)), has been revoked and can no longer be used.\n"
                "Reason: ((reason))\n\n"
                "See the details here:\n((link))",
            ),
        ),
        SMS: _sms(
            "เอกสาร ((number)) ถูกเพิกถอน",
            "Your document ((number)) has been revoked.",
        ),
    },
    "topic_announcement": {
        INAPP: _inapp(
            (
                "((title))",
                "มีข่าวใหม่ในเรื่องที่คุณติดตาม: ((topic))",
            ),
            (
                "((title))",
                "There is news on a topic you follow: ((topic)).",
            ),
        ),
        EMAIL: _email(
            (
                "ข่าวใหม่: ((title))",
                "มีข่าวใหม่ในเรื่องที่คุณติดตาม: ((topic))\n\n((title))\n\nอ่านได้ที่\n((link))\n\n"
                "เลิกติดตามได้ที่หน้า “เรื่องที่คุณติดตาม”: ((domain))/account/subscriptions/",
            ),
            (
                "News: ((title))",
                "There is news on a topic you follow: ((topic)).\n\n((title))\n\nRead it here:\n((link))\n\n"
                "You can stop following it on the “Topics you follow” page: "
                "((domain))/account/subscriptions/",
            ),
        ),
        SMS: _sms(
            "มีข่าวใหม่ในเรื่องที่คุณติดตาม",
            "There is news on a topic you follow.",
        ),
    },
    "agency_notice": {
        INAPP: _inapp(
            ("((subject))", "((body))\n\n((agency))"),
            ("((subject))", "((body))\n\n((agency))"),
        ),
        EMAIL: {
            "th": ("((subject))", "((body))\n\n((agency))" + NOTICE_FOOTER["th"]),
            "en": ("((subject))", "((body))\n\n((agency))" + NOTICE_FOOTER["en"]),
        },
        SMS: _sms("((agency)): ((body))", "((agency)): ((body))"),
    },
    "contact_verification": {
        EMAIL: {
            "th": (
                "รหัสยืนยันอีเมลของคุณ",
                "รหัสยืนยันอีเมลของคุณคือ ((code))\n"
                "ใช้รหัสนี้ที่ ((domain)) เท่านั้น ภายใน ((minutes)) นาที\n\n"
                "อย่าบอกรหัสนี้กับใคร เจ้าหน้าที่จะไม่ขอรหัสนี้จากคุณ\n"
                "หากคุณไม่ได้ขอรหัสนี้ ไม่ต้องทำอะไร\n\n"
                "--\nข้อความนี้ส่งจาก ((domain)) โดยอัตโนมัติ กรุณาอย่าตอบกลับ",
            ),
            "en": (
                "Your code to confirm your e-mail address",
                "Your code to confirm your e-mail address is ((code))\n"
                "Type it only at ((domain)), within ((minutes)) minutes.\n\n"
                "Do not give this code to anyone. No officer will ever ask you for it.\n"
                "If you did not ask for this code, you need not do anything.\n\n"
                "--\nThis message was sent automatically by ((domain)). Please do not reply to it.",
            ),
        },
        SMS: {
            # What the code is for, where it may be typed, and not to give it away; never a link.
            "th": ("", "รหัสยืนยันเบอร์มือถือ ((code)) ใช้ที่ ((domain)) เท่านั้น ภายใน ((minutes)) นาที อย่าบอกรหัสนี้กับใคร"),
            "en": (
                "",
                "Your code to confirm your mobile number is ((code)). Type it only at ((domain)), within "
                "((minutes)) minutes. Never give it to anyone.",
            ),
        },
    },
}


def default_text(kind: str, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) of the default template; KeyError when the kind has no such channel."""
    return DEFAULTS[kind][channel][language]
