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
    "approver": ("ผู้อนุมัติ", "Approver", ["applications.review", "applications.decide"]),
    "inspector": ("เจ้าพนักงานตรวจสถานที่", "Site inspector", ["applications.review"]),
    "registrar": (
        "นายทะเบียน",
        "Registrar",
        ["accounts.view_person", "applications.review", "applications.decide"],
    ),
    "catalogue-editor": ("ผู้ดูแลรายการบริการ", "Service catalogue editor", ["catalogue.edit"]),
    "cashier": ("เจ้าหน้าที่รับชำระเงิน", "Cashier", ["payments.record_cash"]),
    "complaints-handler": ("ผู้รับเรื่องร้องเรียน", "Complaints handler", ["complaints.handle"]),
    "procurement-officer": ("เจ้าหน้าที่พัสดุ", "Procurement officer", ["procurement.manage"]),
    "agency-admin": ("ผู้ดูแลระบบของหน่วยงาน", "Agency administrator", ["agencies.manage_tokens", "audit.view"]),
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
    DemoPerson(3, "นางสาว", "มาลี", "ศรีสุขทดสอบ", "Malee", "Srisuk-Test", _d(1996, 11, 23), "จตุจักร"),
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
                   ("bma-bang-rak", ["reviewer", "inspector", "approver", "cashier", "complaints-handler"],
                    "เจ้าพนักงานสาธารณสุข"),
                   ("bma-phra-nakhon", ["reviewer"], "เจ้าพนักงานสาธารณสุข (ช่วยราชการ)"),
               ]),
    DemoPerson(105, "นาย", "จราจร", "ตำรวจทดสอบ", "Jarajorn", "Police-Test", _d(1986, 5, 5), "พระนคร",
               memberships=[("rtp", ["cashier", "reviewer"], "สารวัตรจราจร")]),
    DemoPerson(106, "นาง", "บัญชี", "กลางทดสอบ", "Banchee", "Klang-Test", _d(1978, 6, 6), "จตุจักร",
               memberships=[("cgd", ["procurement-officer"], "นักวิชาการพัสดุ")]),
    DemoPerson(107, "นาย", "ดิจิทัล", "รัฐบาลทดสอบ", "Digital", "Ratthaban-Test", _d(1989, 7, 7), "บางรัก",
               memberships=[("dga", ["agency-admin", "catalogue-editor"], "ผู้ดูแลระบบ")]),
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
