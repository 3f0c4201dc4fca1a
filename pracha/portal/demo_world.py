"""The synthetic demo world of DESIGN.md §6. Every person, ID and contact detail here is test data:
national IDs start 1-9999-, juristic numbers 0-9999-, surnames end in "ทดสอบ" / "Test", and fees or
rules shown elsewhere are illustrative, never official."""

import datetime
from dataclasses import dataclass, field

from pracha.core.thai_ids import make_valid_id

DEMO_PASSWORD = "Pracha-demo-2569"
# Base32 TOTP secrets, one per officer, printed by seed_demo so an authenticator app can be set up.
DEMO_TOTP_SECRETS = [
    "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
    "MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK",
    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    "NBSWY3DPO5XXE3DENBSWY3DPO5XXE3DE",
    "ORSXG5DJNZTXIZLTORSXG5DJNZTXIZLT",
    "OBZGC3DIMFYGCZLTOBZGC3DIMFYGCZLT",
    "OBZGCY3IMEWWIZLNN4WWC4DQOJXXMZLS",
]


@dataclass(frozen=True)
class DemoAgency:
    code: str
    kind: str
    parent: str | None
    name_th: str
    name_en: str
    description_th: str = ""
    description_en: str = ""
    province: str = "กรุงเทพมหานคร"
    district: str = ""


AGENCIES = [
    DemoAgency("moi", "ministry", None, "กระทรวงมหาดไทย", "Ministry of Interior"),
    DemoAgency(
        "dopa", "department", "moi", "กรมการปกครอง", "Department of Provincial Administration",
        "ดูแลทะเบียนราษฎร บัตรประจำตัวประชาชน และทะเบียนบ้าน",
        "Keeps the population register, ID cards and house registration.",
    ),
    DemoAgency("moc", "ministry", None, "กระทรวงพาณิชย์", "Ministry of Commerce"),
    DemoAgency(
        "dbd", "department", "moc", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development",
        "รับจดทะเบียนพาณิชย์และจดทะเบียนนิติบุคคล", "Registers businesses and companies.",
    ),
    DemoAgency("mof", "ministry", None, "กระทรวงการคลัง", "Ministry of Finance"),
    DemoAgency(
        "rd", "department", "mof", "กรมสรรพากร", "Revenue Department",
        "จดทะเบียนภาษีมูลค่าเพิ่มและจัดเก็บภาษี", "VAT registration and tax collection.",
    ),
    DemoAgency(
        "cgd", "department", "mof", "กรมบัญชีกลาง", "Comptroller General's Department",
        "ดูแลระบบจัดซื้อจัดจ้างภาครัฐ", "Runs public procurement.",
    ),
    DemoAgency(
        "bma", "local", None, "กรุงเทพมหานคร", "Bangkok Metropolitan Administration",
        "ดูแลบริการท้องถิ่นในกรุงเทพฯ", "Local services in Bangkok.",
    ),
    DemoAgency("bma-phra-nakhon", "office", "bma", "สำนักงานเขตพระนคร", "Phra Nakhon District Office",
               "ใบอนุญาตร้านอาหารและเรื่องร้องเรียนในเขต", "Food-shop permits and local complaints.",
               district="พระนคร"),
    DemoAgency("bma-bang-rak", "office", "bma", "สำนักงานเขตบางรัก", "Bang Rak District Office",
               "ใบอนุญาตร้านอาหารและเรื่องร้องเรียนในเขต", "Food-shop permits and local complaints.",
               district="บางรัก"),
    DemoAgency("bma-chatuchak", "office", "bma", "สำนักงานเขตจตุจักร", "Chatuchak District Office",
               "ใบอนุญาตร้านอาหารและเรื่องร้องเรียนในเขต", "Food-shop permits and local complaints.",
               district="จตุจักร"),
    DemoAgency("rtp", "agency", None, "สำนักงานตำรวจแห่งชาติ", "Royal Thai Police",
               "ใบสั่งจราจรและค่าปรับ", "Traffic tickets and fines."),
    DemoAgency("mdes", "ministry", None, "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
               "Ministry of Digital Economy and Society"),
    DemoAgency("dga", "agency", "mdes", "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
               "Digital Government Development Agency",
               "ดูแลระบบแลกเปลี่ยนข้อมูลภาครัฐและพอร์ทัล", "Runs the government data exchange and the portal."),
]  # fmt: skip

ROLES = {
    "reviewer": ("ผู้ตรวจสอบคำขอ", "Application reviewer", ["applications.review"]),
    "approver": (
        "ผู้อนุมัติ",
        "Approver",
        ["applications.review", "applications.decide", "documents.revoke", "notifications.view"],
    ),
    "inspector": ("เจ้าพนักงานตรวจสถานที่", "Site inspector", ["applications.review"]),
    "registrar": (
        "นายทะเบียน",
        "Registrar",
        ["accounts.view_person", "applications.review", "applications.decide", "documents.revoke"],
    ),
    "catalogue-editor": ("ผู้ดูแลรายการบริการ", "Service catalogue editor", ["catalogue.edit"]),
    "cashier": ("เจ้าหน้าที่รับชำระเงิน", "Cashier", ["payments.view", "payments.record_cash"]),
    "finance-officer": (
        "เจ้าหน้าที่การเงิน",
        "Finance officer",
        ["payments.view", "payments.manage", "payments.reconcile", "notifications.view"],
    ),
    "finance-approver": (
        "ผู้อนุมัติการเงิน",
        "Finance approver",
        ["payments.view", "payments.refund_approve", "documents.revoke"],
    ),
    "complaints-handler": ("ผู้รับเรื่องร้องเรียน", "Complaints handler", ["complaints.handle"]),
    "procurement-officer": ("เจ้าหน้าที่พัสดุ", "Procurement officer", ["procurement.manage"]),
    "agency-admin": (
        "ผู้ดูแลระบบของหน่วยงาน",
        "Agency administrator",
        ["agencies.manage_tokens", "audit.view", "notifications.view", "notifications.keys"],
    ),
    "message-editor": ("ผู้ดูแลข้อความแจ้งเตือน", "Message template editor", ["notifications.templates"]),
}


@dataclass(frozen=True)
class DemoPerson:
    number: int
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    date_of_birth: datetime.date
    district: str
    has_account: bool = True
    # The language their messages come in (notifications' profile); Thai unless they chose otherwise.
    language: str = "th"
    # (agency code, role codes, position) for officers
    memberships: list[tuple[str, list[str], str]] = field(default_factory=list)

    @property
    def national_id(self) -> str:
        return make_valid_id(f"19999{self.number:07d}")

    @property
    def assurance_level(self) -> str:
        # Most demo citizens have verified their identity already, so services that need it can be
        # tried at once; 11 to 15 have not, to show what an unverified person is told.
        return "self_asserted" if 11 <= self.number <= 15 else "verified"

    @property
    def laser_code(self) -> str:
        return f"JT{self.number % 10}{self.number:09d}"

    @property
    def email(self) -> str:
        return f"{self.first_name_en.lower()}.{self.number}@demo.pracha.example"

    @property
    def phone(self) -> str:
        return f"08{self.number:08d}"


def _d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


PEOPLE = [
    DemoPerson(1, "นาย", "สมชาย", "ใจดีทดสอบ", "Somchai", "Jaidee-Test", _d(1985, 3, 12), "พระนคร"),
    DemoPerson(2, "นาง", "สมหญิง", "รักไทยทดสอบ", "Somying", "Rakthai-Test", _d(1979, 7, 1), "บางรัก"),
    # Reads her messages in English.
    DemoPerson(3, "นางสาว", "มาลี", "ศรีสุขทดสอบ", "Malee", "Srisuk-Test", _d(1996, 11, 23), "จตุจักร",
               language="en"),
    DemoPerson(4, "นาย", "ประเสริฐ", "มั่นคงทดสอบ", "Prasert", "Mankhong-Test", _d(1958, 1, 30), "พระนคร"),
    DemoPerson(5, "นาง", "บุญมี", "ทองดีทดสอบ", "Boonmee", "Thongdee-Test", _d(1949, 5, 5), "บางรัก"),
    DemoPerson(6, "นาย", "วีระ", "กล้าหาญทดสอบ", "Weera", "Klahan-Test", _d(1990, 9, 9), "จตุจักร"),
    DemoPerson(7, "นางสาว", "กัญญา", "แก้วมณีทดสอบ", "Kanya", "Kaewmanee-Test", _d(2001, 2, 14), "พระนคร"),
    DemoPerson(8, "นาย", "ธนา", "เจริญผลทดสอบ", "Thana", "Charoenphon-Test", _d(1988, 4, 13), "บางรัก"),
    DemoPerson(9, "นาง", "ลำดวน", "ชื่นใจทดสอบ", "Lamduan", "Chuenjai-Test", _d(1965, 12, 5), "จตุจักร"),
    DemoPerson(10, "นาย", "อนันต์", "สุขสันต์ทดสอบ", "Anan", "Suksan-Test", _d(1972, 8, 12), "พระนคร"),
    DemoPerson(11, "นางสาว", "ปิยะ", "งามวงศ์ทดสอบ", "Piya", "Ngamwong-Test", _d(1999, 6, 18), "บางรัก"),
    DemoPerson(12, "นาย", "สุเทพ", "พึ่งบุญทดสอบ", "Suthep", "Phuengboon-Test", _d(1983, 10, 2), "จตุจักร"),
    DemoPerson(13, "นาง", "จันทร์เพ็ญ", "ดวงดีทดสอบ", "Chanpen", "Duangdee-Test", _d(1977, 3, 3), "พระนคร"),
    DemoPerson(14, "นาย", "ชัยวัฒน์", "ใฝ่รู้ทดสอบ", "Chaiwat", "Fairu-Test", _d(1993, 1, 21), "บางรัก"),
    DemoPerson(15, "นางสาว", "นภา", "ฟ้าใสทดสอบ", "Napa", "Fasai-Test", _d(2004, 7, 28), "จตุจักร"),
    # In the register but without an account: sign up as one of these to try identity verification.
    DemoPerson(16, "นาย", "ก้องเกียรติ", "เปิดใหม่ทดสอบ", "Kongkiat", "Perdmai-Test", _d(1995, 2, 2), "พระนคร",
               has_account=False),
    DemoPerson(17, "นางสาว", "ดารา", "เริ่มต้นทดสอบ", "Dara", "Roemton-Test", _d(1998, 8, 8), "บางรัก",
               has_account=False),
    DemoPerson(18, "นาย", "พิชัย", "สมัครทดสอบ", "Pichai", "Samak-Test", _d(1968, 4, 4), "จตุจักร",
               has_account=False),
    DemoPerson(19, "นาง", "อรุณี", "แสงทองทดสอบ", "Arunee", "Saengthong-Test", _d(1961, 9, 19), "พระนคร",
               has_account=False),
    DemoPerson(20, "นาย", "ยุทธนา", "ยืนยงทดสอบ", "Yuttana", "Yuenyong-Test", _d(1987, 11, 11), "บางรัก",
               has_account=False),
    # Officers (people too: they also hold population records).
    DemoPerson(101, "นาย", "ปกครอง", "นายทะเบียนทดสอบ", "Pokkrong", "Registrar-Test", _d(1980, 1, 1), "พระนคร",
               memberships=[("dopa", ["registrar", "reviewer", "cashier"], "นายทะเบียนอำเภอ")]),
    DemoPerson(102, "นาง", "พาณี", "พัฒนาทดสอบ", "Panee", "Pattana-Test", _d(1982, 2, 2), "บางรัก",
               memberships=[
                   ("dbd", ["reviewer", "approver", "cashier", "catalogue-editor"], "นักวิชาการพาณิชย์"),
               ]),
    DemoPerson(103, "นาย", "สรร", "พากรทดสอบ", "San", "Pakorn-Test", _d(1975, 3, 3), "จตุจักร",
               memberships=[("rd", ["reviewer", "approver"], "เจ้าพนักงานสรรพากร")]),
    DemoPerson(104, "นางสาว", "เขต", "บางรักทดสอบ", "Khet", "Bangrak-Test", _d(1991, 4, 4), "บางรัก",
               memberships=[
                   ("bma-bang-rak", ["reviewer", "inspector", "approver", "cashier", "complaints-handler",
                                     "finance-officer"], "เจ้าพนักงานสาธารณสุข"),
                   ("bma-phra-nakhon", ["reviewer"], "เจ้าพนักงานสาธารณสุข (ช่วยราชการ)"),
               ]),
    DemoPerson(105, "นาย", "จราจร", "ตำรวจทดสอบ", "Jarajorn", "Police-Test", _d(1986, 5, 5), "พระนคร",
               memberships=[("rtp", ["cashier", "reviewer", "finance-officer"], "สารวัตรจราจร")]),
    DemoPerson(106, "นาง", "บัญชี", "กลางทดสอบ", "Banchee", "Klang-Test", _d(1978, 6, 6), "จตุจักร",
               memberships=[("cgd", ["procurement-officer"], "นักวิชาการพัสดุ")]),
    DemoPerson(107, "นาย", "ดิจิทัล", "รัฐบาลทดสอบ", "Digital", "Ratthaban-Test", _d(1989, 7, 7), "บางรัก",
               memberships=[("dga", ["agency-admin", "catalogue-editor", "message-editor"], "ผู้ดูแลระบบ")]),
    # Approves the refunds officers 104 and 105 request: a refund always needs a second person.
    DemoPerson(108, "นาง", "การเงิน", "อนุมัติทดสอบ", "Kanngoen", "Anumat-Test", _d(1976, 8, 8), "บางรัก",
               memberships=[
                   ("bma-bang-rak", ["finance-approver"], "ผู้อำนวยการฝ่ายการคลัง"),
                   ("rtp", ["finance-approver"], "ผู้กำกับการฝ่ายการเงิน (ช่วยราชการ)"),
               ]),
]  # fmt: skip


@dataclass(frozen=True)
class DemoBusiness:
    number: int
    name_th: str
    name_en: str
    registered_on: datetime.date
    director_numbers: list[int]

    @property
    def juristic_number(self) -> str:
        return make_valid_id(f"09999{self.number:07d}")


BUSINESSES = [
    DemoBusiness(1, "บริษัท ข้าวมันไก่ทดสอบ จำกัด", "Khao Man Kai Test Co., Ltd.", _d(2015, 6, 1), [1]),
    DemoBusiness(
        2, "ห้างหุ้นส่วนจำกัด ก๋วยเตี๋ยวทดสอบ", "Kuay Teow Test Limited Partnership", _d(2018, 2, 12), [2, 8]
    ),
    DemoBusiness(3, "บริษัท ค้าไทยทดสอบ จำกัด", "Kha Thai Test Co., Ltd.", _d(2010, 9, 30), [4]),
    DemoBusiness(4, "บริษัท ดิจิทัลไทยทดสอบ จำกัด", "Digital Thai Test Co., Ltd.", _d(2021, 1, 15), [6, 14]),
    DemoBusiness(5, "บริษัท ก่อสร้างทดสอบ จำกัด (มหาชน)", "Construction Test PCL", _d(2005, 11, 1), [10]),
]


# --- traffic tickets (Royal Thai Police) ---------------------------------------------------------------
# Issued a number of days before the seed runs and due 30 days after, so the demo never goes stale.
# Fines are illustrative.

TICKET_DAYS_TO_PAY = 30


@dataclass(frozen=True)
class DemoTicket:
    number: str
    offender: int  # a demo person's number
    plate: str
    offence_th: str
    offence_en: str
    fine_baht: int
    place_th: str
    place_en: str
    issued_days_ago: int
    # Paid at a police station before Pracha: the station's receipt number.
    paid_receipt: str = ""


SPEEDING = ("ขับรถเร็วเกินกำหนด", "Speeding")
RED_LIGHT = ("ฝ่าสัญญาณไฟแดง", "Running a red light")
NO_PARKING = ("จอดรถในที่ห้ามจอด", "Parking where prohibited")
NO_HELMET = ("ไม่สวมหมวกนิรภัย", "Riding without a helmet")
NO_SEAT_BELT = ("ไม่คาดเข็มขัดนิรภัย", "Not wearing a seat belt")
BUS_LANE = ("ขับรถในช่องเดินรถประจำทาง", "Driving in a bus lane")

TICKETS = [
    DemoTicket("TK6900000001", 2, "1กข1234", *SPEEDING, 500,
               "ถนนพระรามที่ 4 เขตปทุมวัน", "Rama IV Road, Pathum Wan", 5),
    DemoTicket("TK6900000002", 2, "1กข1234", *NO_PARKING, 500,
               "ถนนสีลม เขตบางรัก", "Silom Road, Bang Rak", 12),
    DemoTicket("TK6900000003", 2, "1กข1234", *RED_LIGHT, 1000,
               "แยกอโศก ถนนสุขุมวิท", "Asok intersection, Sukhumvit Road", 45, paid_receipt="LUMPINI-2569-0412"),
    DemoTicket("TK6900000004", 1, "2กค5678", *NO_SEAT_BELT, 500,
               "ถนนราชดำเนินกลาง เขตพระนคร", "Ratchadamnoen Klang Road, Phra Nakhon", 3),
    DemoTicket("TK6900000005", 3, "1ขค567", *NO_HELMET, 500,
               "ถนนพหลโยธิน เขตจตุจักร", "Phahonyothin Road, Chatuchak", 8),
    # Overdue: its bill is due a week after it is first asked for.
    DemoTicket("TK6900000006", 6, "3กง9012", *RED_LIGHT, 1000,
               "แยกลาดพร้าว เขตจตุจักร", "Lat Phrao intersection, Chatuchak", 40),
    DemoTicket("TK6900000007", 8, "4ฆจ3456", *SPEEDING, 500,
               "ถนนวิภาวดีรังสิต เขตดินแดง", "Vibhavadi Rangsit Road, Din Daeng", 15),
    DemoTicket("TK6900000008", 10, "5ฉช7890", *BUS_LANE, 500,
               "ถนนเพชรบุรี เขตราชเทวี", "Phetchaburi Road, Ratchathewi", 20),
]  # fmt: skip


# --- the land and building tax roll (BMA district offices) ---------------------------------------------
# One roll for the Buddhist-era year the seed runs in. Tax is the value times an illustrative rate per
# use, in ten-thousandths (0.02% for a residence, 0.3% for commercial and vacant land), with the
# exemptions of the real Act left out; never an official assessment.

TAX_RATE_PER_10000 = {"agriculture": 1, "residence": 2, "commercial": 30, "vacant": 30}


@dataclass(frozen=True)
class DemoAssessment:
    serial: int
    agency: str
    use: str
    property_th: str
    property_en: str
    appraised_baht: int
    owner_person: int | None = None
    owner_business: int | None = None

    @property
    def tax_satang(self) -> int:
        return self.appraised_baht * 100 * TAX_RATE_PER_10000[self.use] // 10000


LAND_TAX_ROLL = [
    DemoAssessment(1, "bma-bang-rak", "residence", "บ้านเดี่ยว 2 ชั้น โฉนดเลขที่ 10234 แขวงสุริยวงศ์ เขตบางรัก",
                   "Two-storey house, title deed 10234, Suriyawong, Bang Rak", 6_500_000, owner_person=2),
    DemoAssessment(2, "bma-chatuchak", "vacant", "ที่ดินว่างเปล่า 80 ตารางวา โฉนดเลขที่ 55871 แขวงลาดยาว เขตจตุจักร",
                   "Vacant plot of 320 m², title deed 55871, Lat Yao, Chatuchak", 3_200_000, owner_person=2),
    DemoAssessment(3, "bma-bang-rak", "commercial", "อาคารพาณิชย์ 4 ชั้น ถนนสีลม แขวงสีลม เขตบางรัก",
                   "Four-storey shop-house, Silom Road, Si Lom, Bang Rak", 8_000_000, owner_business=2),
    DemoAssessment(4, "bma-phra-nakhon", "commercial", "อาคารพาณิชย์ 3 ชั้น ถนนตะนาว แขวงศาลเจ้าพ่อเสือ เขตพระนคร",
                   "Three-storey shop-house, Tanao Road, San Chao Pho Suea, Phra Nakhon", 12_000_000,
                   owner_business=1),
    DemoAssessment(5, "bma-phra-nakhon", "residence", "ทาวน์เฮาส์ 3 ชั้น แขวงบวรนิเวศ เขตพระนคร",
                   "Three-storey townhouse, Bowon Niwet, Phra Nakhon", 3_800_000, owner_person=1),
    DemoAssessment(6, "bma-bang-rak", "residence", "บ้านไม้ 2 ชั้น แขวงมหาพฤฒาราม เขตบางรัก",
                   "Two-storey wooden house, Maha Phruettharam, Bang Rak", 5_200_000, owner_person=5),
]  # fmt: skip


def land_tax_due_date(today: datetime.date) -> datetime.date:
    """30 April of this year; once that has passed, the next 30 June (the demo's late instalment)."""
    for candidate in (datetime.date(today.year, 4, 30), datetime.date(today.year, 6, 30)):
        if candidate >= today:
            return candidate
    return datetime.date(today.year + 1, 6, 30)
