"""The public agency directory: the tree, the details page, Thai by default and English on request."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pracha.agencies.models import Agency
from pracha.agencies.tests.factories import AgencyFactory
from pracha.agencies.views import nest

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies() -> dict[str, Agency]:
    ministry = AgencyFactory.create(
        code="moi", kind=Agency.Kind.MINISTRY, name_th="กระทรวงมหาดไทย", name_en="Ministry of Interior"
    )
    department = AgencyFactory.create(
        code="dopa",
        kind=Agency.Kind.DEPARTMENT,
        parent=ministry,
        name_th="กรมการปกครอง",
        name_en="Department of Provincial Administration",
        description_th="ดูแลทะเบียนราษฎร",
        description_en="Keeps the population register.",
        phone="02 791 7000",
        email="contact@dopa.example",
        website="https://www.dopa.example/",
        address_th="ถนนนครราชสีมา เขตดุสิต",
        address_en="Nakhon Ratchasima Road, Dusit",
    )
    office = AgencyFactory.create(
        code="dopa-registration",
        kind=Agency.Kind.OFFICE,
        parent=department,
        name_th="สำนักบริหารการทะเบียน",
        name_en="Bureau of Registration Administration",
    )
    district = AgencyFactory.create(
        code="bma-dusit",
        kind=Agency.Kind.LOCAL,
        name_th="สำนักงานเขตดุสิต",
        name_en="Dusit District Office",
        province="กรุงเทพมหานคร",
        district="ดุสิต",
    )
    return {"ministry": ministry, "department": department, "office": office, "district": district}


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def test_url_names() -> None:
    assert reverse("agencies:agency-list") == "/agencies/"
    assert reverse("agencies:agency-detail", kwargs={"code": "dopa"}) == "/agencies/dopa/"


def test_nest_builds_the_hierarchy_from_rows_with_depths(agencies: dict[str, Agency]) -> None:
    ministry, department, office, district = (
        agencies["ministry"],
        agencies["department"],
        agencies["office"],
        agencies["district"],
    )

    roots = nest(
        [(district, 0), (ministry, 0), (department, 1), (office, 2), (AgencyFactory.create(code="x"), 1)]
    )

    assert [node.agency.code for node in roots] == ["bma-dusit", "moi"]
    assert [node.agency.code for node in roots[1].children] == ["dopa", "x"]
    assert [node.agency.code for node in roots[1].children[0].children] == ["dopa-registration"]
    assert roots[0].children == []


def test_directory_lists_agencies_in_thai_as_nested_lists(
    client: Client, agencies: dict[str, Agency]
) -> None:
    response = client.get("/agencies/")

    assert response.status_code == 200
    html = squeeze(response.content.decode())
    assert '<html lang="th" class="govuk-template">' in html
    assert (
        '<ul class="pracha-tree govuk-list"><li>'
        '<a class="govuk-link" href="/agencies/bma-dusit/">สำนักงานเขตดุสิต</a>'
    ) in html
    # The kind label between the name and the nested list is translated, so it is matched loosely.
    assert re.search(
        r'<li><a class="govuk-link" href="/agencies/moi/">กระทรวงมหาดไทย</a><span [^>]+>\([^)]+\)</span>'
        r'<ul class="govuk-list"><li><a class="govuk-link" href="/agencies/dopa/">กรมการปกครอง</a>',
        html,
    )
    assert (
        '<ul class="govuk-list"><li>'
        '<a class="govuk-link" href="/agencies/dopa-registration/">สำนักบริหารการทะเบียน</a>'
    ) in html
    assert "Ministry of Interior" not in html


def test_directory_in_english(client: Client, agencies: dict[str, Agency]) -> None:
    html = squeeze(english(client).get("/agencies/").content.decode())

    assert '<h1 class="govuk-heading-xl">Government agencies</h1>' in html
    assert (
        '<a class="govuk-link" href="/agencies/moi/">Ministry of Interior</a>'
        '<span class="govuk-body-s govuk-hint govuk-!-display-inline">(Ministry)</span>'
    ) in html
    assert "กระทรวงมหาดไทย" not in html


def test_empty_directory_says_so(client: Client) -> None:
    html = english(client).get("/agencies/").content.decode()

    assert "No agencies have been added yet." in html
    assert "pracha-tree" not in html


def test_detail_shows_names_kind_parent_children_and_contact_details(
    client: Client, agencies: dict[str, Agency]
) -> None:
    response = english(client).get("/agencies/dopa/")

    assert response.status_code == 200
    html = squeeze(response.content.decode())
    assert "<title>Department of Provincial Administration – Pracha</title>" in html
    assert '<span class="govuk-caption-l">Department</span>' in html
    assert '<h1 class="govuk-heading-l">Department of Provincial Administration</h1>' in html
    assert '<p class="govuk-body-l">Keeps the population register.</p>' in html
    assert '<dd class="govuk-summary-list__value" lang="th">กรมการปกครอง</dd>' in html
    assert (
        '<dd class="govuk-summary-list__value" lang="en">Department of Provincial Administration</dd>' in html
    )
    assert '<a class="govuk-link" href="/agencies/moi/">Ministry of Interior</a>' in html
    assert '<dd class="govuk-summary-list__value">The whole country</dd>' in html
    assert '<a class="govuk-link" href="tel:027917000">02 791 7000</a>' in html
    assert '<a class="govuk-link" href="mailto:contact@dopa.example">contact@dopa.example</a>' in html
    assert (
        '<a class="govuk-link" href="https://www.dopa.example/" rel="external">https://www.dopa.example/</a>'
        in html
    )
    assert '<dd class="govuk-summary-list__value">Nakhon Ratchasima Road, Dusit</dd>' in html
    assert '<h2 class="govuk-heading-m">Agencies that are part of it</h2>' in html
    assert (
        '<li><a class="govuk-link" href="/agencies/dopa-registration/">'
        "Bureau of Registration Administration</a>"
    ) in html
    # The breadcrumbs lead back through the directory and every agency above.
    assert (
        '<li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/agencies/">'
        'Government agencies</a></li><li class="govuk-breadcrumbs__list-item">'
        '<a class="govuk-breadcrumbs__link" href="/agencies/moi/">Ministry of Interior</a></li></ol>'
    ) in html


def test_detail_is_in_thai_by_default(client: Client, agencies: dict[str, Agency]) -> None:
    response = client.get("/agencies/dopa/")

    assert response.status_code == 200
    html = squeeze(response.content.decode())
    assert '<html lang="th" class="govuk-template">' in html
    assert '<h1 class="govuk-heading-l">กรมการปกครอง</h1>' in html
    assert '<p class="govuk-body-l">ดูแลทะเบียนราษฎร</p>' in html
    assert '<a class="govuk-link" href="/agencies/moi/">กระทรวงมหาดไทย</a>' in html
    assert "ถนนนครราชสีมา เขตดุสิต" in html


def test_detail_shows_the_area_a_local_office_serves(client: Client, agencies: dict[str, Agency]) -> None:
    html = squeeze(english(client).get("/agencies/bma-dusit/").content.decode())

    assert '<dd class="govuk-summary-list__value">ดุสิต, กรุงเทพมหานคร</dd>' in html
    assert '<dd class="govuk-summary-list__value">Not part of another agency</dd>' in html
    assert "This agency has not published contact details yet." in html
    assert "Agencies that are part of it" not in html


def test_detail_does_not_link_a_website_that_is_not_http(client: Client, agencies: dict[str, Agency]) -> None:
    Agency.objects.filter(code="dopa").update(website="javascript:alert(1)")

    html = english(client).get("/agencies/dopa/").content.decode()

    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


def test_unknown_agency_is_not_found(client: Client, agencies: dict[str, Agency]) -> None:
    response = english(client).get("/agencies/no-such-agency/")

    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.content.decode()
