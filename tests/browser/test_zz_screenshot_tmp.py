import pytest
from pracha.agencies.models import Agency
from pracha.agencies.tests.factories import AgencyFactory

pytestmark = pytest.mark.browser

def test_shots(page, browser, base_url):
    m = AgencyFactory(code="moi", kind=Agency.Kind.MINISTRY, name_th="กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม", name_en="Ministry of Natural Resources")
    AgencyFactory(code="d1", parent=m, kind=Agency.Kind.DEPARTMENT, name_th="กรมทรัพยากรน้ำบาดาล ปั้นกี่ฤๅษีปู่ญี่ปุ่นน้ำท่วมขั้นสูงสุด", name_en="Department of Groundwater",
        description_th="ผู้ใหญ่ลี้ตีกลองประชุม ชาวบ้านที่อยู่ในคุ้มต่างมาประชุมกันที่ศาลาวัด น้ำท่วมปู่ย่าตายายฤดูฝนที่ผ่านมา ปั้นกี่ ฎีกา ฐาน ญี่ปุ่น สิ้นสุดที่นี่ ผู้ใหญ่ลี้ตีกลองประชุม ชาวบ้านที่อยู่ในคุ้มต่างมาประชุมกันที่ศาลาวัด", phone="02 123 4567", province="กรุงเทพมหานคร", district="ดุสิต")
    page.goto("/")
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path="/tmp/home.png", full_page=True)
    page.goto("/agencies/d1/")
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path="/tmp/detail.png", full_page=True)
    page.goto("/agencies/")
    page.screenshot(path="/tmp/list.png", full_page=True)
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, base_url=base_url)
    p2 = ctx.new_page(); p2.goto("/agencies/d1/"); p2.evaluate("() => document.fonts.ready")
    p2.screenshot(path="/tmp/mobile.png", full_page=True)
    ctx.close()
