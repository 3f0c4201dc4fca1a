"""The applicant's pages against the authorization matrix: anonymous people are sent to sign in, only the
applicant (or their business) sees or changes an application, and everyone else, officers included, gets
404 with nothing changed and nothing audited. The helpers here are shared by test_views_*.py."""

import html as html_module
import itertools
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from pracha.accounts.public import businesses_for
from pracha.accounts.tests.conftest import client_for
from pracha.applications import services
from pracha.applications.models import Application, ApplicationDocument, Holder, Message
from pracha.applications.tests.helpers import act, food_shop_draft, submitted_food_shop
from pracha.audit.public import AuditEntry

# Everyone who is not the applicant: another citizen, officers of another agency, of the handling agency
# without a role that acts on applications, and of the handling agency with every role (the reviewer).
OUTSIDERS = ["other_citizen", "officer_other_agency", "officer_without", "reviewer"]


def client(world: dict[str, Any], who: str, *, language: str = "en") -> Client:
    return client_for(world[who], language=language)


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def audit_total() -> int:
    return AuditEntry.objects.count()


def sign_in_url(url: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': url}, safe='/')}"


def snapshot(application: Application) -> tuple[Any, ...]:
    """Everything a denied request must leave as it was."""
    application.refresh_from_db()
    return (
        application.state,
        application.holder,
        application.answers,
        application.corrections,
        application.reference,
        application.events.count(),
        application.documents.count(),
        application.messages.count(),
    )


def error_summary(response: Any) -> list[str]:
    """The messages the page's error summary lists, as shown (in the page's language)."""
    html = response.content.decode()
    if "govuk-error-summary__list" not in html:
        return []
    block = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    items = [part.split("</li>", 1)[0] for part in block.split("<li>")[1:]]
    return [_text(item) for item in items]


def field_error(response: Any, name: str) -> str:
    """The error message shown next to a field (its govuk-error-message), without the hidden "Error:"."""
    html = response.content.decode()
    marker = f'id="id_{name}-error"'
    assert marker in html, f"no error shown for {name}"
    paragraph = html.split(marker, 1)[1].split("</p>", 1)[0]
    return _text(paragraph.split("</span>", 1)[1])


def _text(fragment: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


@pytest.fixture
def draft(service_world: dict[str, Any]) -> Application:
    """A complete food-shop draft of the applicant: answers and both documents, not yet sent."""
    return food_shop_draft(service_world["applicant"])


@pytest.fixture
def sent(service_world: dict[str, Any]) -> Application:
    """A food-shop application sent to the Bang Rak district office, at the document check."""
    return submitted_food_shop(service_world["applicant"])


@pytest.fixture
def sent_back(service_world: dict[str, Any], sent: Application) -> Application:
    """Sent back by the reviewer to correct the shop area and the floor plan."""
    return act(
        service_world["reviewer"],
        sent,
        "send_back",
        fields=["shop_area_sqm"],
        documents=["floor-plan"],
        note="พื้นที่ร้านไม่ตรงกับแบบแปลน",
    )


def draft_pages(application: Application) -> list[str]:
    key = application.public_id
    return [
        reverse("applications:form", args=[key]),
        reverse("applications:documents", args=[key]),
        reverse("applications:fees", args=[key]),
        reverse("applications:check", args=[key]),
        reverse("applications:delete", args=[key]),
    ]


def sent_pages(application: Application) -> list[str]:
    reference = application.reference
    return [
        reverse("applications:detail", args=[reference]),
        reverse("applications:detail", args=[str(application.public_id)]),
        reverse("applications:submitted", args=[reference]),
        reverse("applications:withdraw", args=[reference]),
        reverse("applications:corrections", args=[reference]),
    ]


# --- reading ------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in_from_every_page(
    service_world: dict[str, Any], draft: Application, sent: Application
) -> None:
    document = ApplicationDocument.objects.filter(application=sent).first()
    assert document is not None
    urls = [
        reverse("applications:my-applications"),
        reverse("applications:start", args=["food-shop-permit"]),
        reverse("applications:document", args=[document.public_id]),
        reverse("applications:consent", args=[sent.reference]),
        *draft_pages(draft),
        *sent_pages(sent),
    ]
    anonymous = client(service_world, "anonymous")
    for url in urls:
        response = anonymous.get(url)
        assert (response.status_code, response.headers["Location"]) == (302, sign_in_url(url)), url


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_sees_an_application_or_its_draft(
    service_world: dict[str, Any], draft: Application, sent: Application, who: str
) -> None:
    outsider = client(service_world, who)
    for url in [*draft_pages(draft), *sent_pages(sent)]:
        assert outsider.get(url).status_code == 404, url


def test_the_applicant_sees_every_page(
    service_world: dict[str, Any], draft: Application, sent: Application
) -> None:
    applicant = client(service_world, "applicant")
    for url in [*draft_pages(draft), *sent_pages(sent)[:4]]:
        response = applicant.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    # Corrections are only asked for when the agency sent the application back.
    response = applicant.get(reverse("applications:corrections", args=[sent.reference]))
    assert response.headers["Location"] == reverse("applications:detail", args=[sent.reference])


def test_a_business_s_applications_are_seen_by_its_other_directors(service_world: dict[str, Any]) -> None:
    """Demo business 2 has two directors: person 2 (the applicant) and person 8."""
    applicant = service_world["applicant"]
    business = next(b for b in businesses_for(user=applicant) if b.name_en.startswith("Kuay Teow"))
    application = services.draft_create(
        actor=applicant, service_code="food-shop-permit", on_behalf_of=business
    )
    partner = next(
        authorisation.user
        for authorisation in business.authorisations.all()
        if authorisation.user_id != applicant.pk
    )
    response = client_for(partner).get(reverse("applications:form", args=[application.public_id]))
    assert response.status_code == 200
    assert (
        client(service_world, "other_citizen")
        .get(reverse("applications:form", args=[application.public_id]))
        .status_code
        == 404
    )


def test_a_key_that_is_neither_a_reference_nor_a_uuid_is_not_found(service_world: dict[str, Any]) -> None:
    applicant = client(service_world, "applicant")
    assert applicant.get("/applications/APP-2569-999999/").status_code == 404
    assert applicant.get("/applications/not-a-thing/").status_code == 404
    assert applicant.get("/applications/start/no-such-service/").status_code == 404


# --- writing ------------------------------------------------------------------------------------------


SUBMIT_KEY = "7d3c5e4e-8a1b-4c55-9a3c-0c6f4f7b2a11"


def denied_posts(draft: Application, sent: Application) -> list[tuple[str, dict[str, Any], str]]:
    """(url, data, the audit action the request would write) for every POST of the applicant's pages."""
    key, reference = draft.public_id, sent.reference
    return [
        (
            reverse("applications:form", args=[key]),
            {"save": "later", "shop_name": "x"},
            "applications.answers_save",
        ),
        (
            reverse("applications:check", args=[key]),
            {"declaration": "on", "idempotency_key": SUBMIT_KEY},
            "applications.submit",
        ),
        (reverse("applications:delete", args=[key]), {}, "applications.draft_delete"),
        (
            reverse("applications:document-upload", args=[key, "floor-plan"]),
            {},
            "applications.document_upload",
        ),
        (reverse("applications:message", args=[reference]), {"body": "สวัสดี"}, "applications.message"),
        (reverse("applications:withdraw", args=[reference]), {"reason": ""}, "applications.withdraw"),
        (reverse("applications:corrections", args=[reference]), {"shop_area_sqm": "10"}, "applications.act"),
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_changes_an_application(
    service_world: dict[str, Any], draft: Application, sent: Application, who: str
) -> None:
    before = (snapshot(draft), snapshot(sent), Application.objects.count(), Message.objects.count())
    outsider = client(service_world, who)  # signing in is audited; nothing after it may be
    audited = audit_total()
    for url, data, _action in denied_posts(draft, sent):
        assert outsider.post(url, data).status_code == 404, url
    assert (snapshot(draft), snapshot(sent), Application.objects.count(), Message.objects.count()) == before
    assert audit_total() == audited


def test_anonymous_people_change_nothing(
    service_world: dict[str, Any], draft: Application, sent: Application
) -> None:
    before = (snapshot(draft), snapshot(sent))
    audited = audit_total()
    anonymous = client(service_world, "anonymous")
    for url, data, _action in denied_posts(draft, sent):
        response = anonymous.post(url, data)
        assert (response.status_code, response.headers["Location"]) == (302, sign_in_url(url)), url
    assert (snapshot(draft), snapshot(sent)) == before
    assert audit_total() == audited


def test_pages_answer_only_their_methods(service_world: dict[str, Any], draft: Application) -> None:
    applicant = client(service_world, "applicant")
    upload = reverse("applications:document-upload", args=[draft.public_id, "floor-plan"])
    assert applicant.get(upload).status_code == 405
    assert applicant.post(reverse("applications:documents", args=[draft.public_id])).status_code == 405
    assert applicant.post(reverse("applications:my-applications")).status_code == 405
    assert draft.holder == Holder.DRAFT


# --- page structure (axe-core runs in the browser tests; these catch the common mistakes early) --------


class PageStructure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.label_targets: set[str] = set()
        self.described: list[str] = []
        self.controls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and values.get("for"):
            self.label_targets.add(values["for"])
        if values.get("aria-describedby"):
            self.described.extend(values["aria-describedby"].split())
        hidden = values.get("type") in ("hidden", "submit")
        if tag in ("input", "select", "textarea") and not hidden:
            self.controls.append(values.get("id", ""))


def check_structure(response: Any) -> None:
    page = PageStructure()
    page.feed(response.content.decode())
    duplicates = {name for name in page.ids if page.ids.count(name) > 1}
    assert not duplicates, f"duplicate ids {duplicates} on {response.request['PATH_INFO']}"
    main = page.headings[page.headings.index(1) :]  # the page's own headings, after the site header
    assert main.count(1) == 1, f"one h1 on {response.request['PATH_INFO']}"
    for before, after in itertools.pairwise(main):
        assert after <= before + 1, f"heading h{before} then h{after} on {response.request['PATH_INFO']}"
    assert set(page.described) <= set(page.ids), response.request["PATH_INFO"]
    assert page.label_targets <= set(page.ids), response.request["PATH_INFO"]
    unlabelled = [control for control in page.controls if control not in page.label_targets]
    assert not unlabelled, f"controls without a label {unlabelled} on {response.request['PATH_INFO']}"


def test_every_page_has_unique_ids_ordered_headings_and_labelled_controls(
    service_world: dict[str, Any], draft: Application, sent_back: Application
) -> None:
    applicant = client(service_world, "applicant")
    services.message_post(actor=service_world["reviewer"], application=sent_back, body="โปรดแก้ไข")
    urls = [
        reverse("applications:my-applications"),
        reverse("applications:start", args=["food-shop-permit"]),
        reverse("applications:start", args=["change-of-address"]),
        *draft_pages(draft),
        *sent_pages(sent_back),
    ]
    for url in urls:
        response = applicant.get(url)
        assert response.status_code == 200, url
        check_structure(response)
    # Pages showing errors: the form, an upload, the declaration, a message.
    for url, data in (
        (reverse("applications:form", args=[draft.public_id]), {"save": "continue", "shop_area_sqm": "x"}),
        (reverse("applications:document-upload", args=[draft.public_id, "shop-photo"]), {}),
        (reverse("applications:check", args=[draft.public_id]), {}),
        (reverse("applications:message", args=[sent_back.reference]), {"body": ""}),
        (reverse("applications:corrections", args=[sent_back.reference]), {"shop_area_sqm": "x"}),
    ):
        response = applicant.post(url, data)
        assert response.status_code == 200, url
        assert response.content.decode().count("govuk-error-summary__title") == 1, url
        assert "<title>Error:" in response.content.decode(), url
        check_structure(response)
