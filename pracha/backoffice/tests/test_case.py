"""The case page and its forms: who may see and do what, the actions the workflow offers, each kind of
action's input, claims, messages and notes, the fee's bill, and the food-shop journey by officers."""

import re
from typing import Any

import pytest
from django.urls import reverse

from pracha.applications import services
from pracha.applications.models import Application, FeePayment, Message, Outcome
from pracha.audit.public import AuditEntry
from pracha.backoffice.tests.conftest import bang_rak_officer, client_for
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import local_today
from pracha.payments.public import Bill, Receipt


def case_url(application: Application, name: str = "case") -> str:
    return reverse(f"backoffice:{name}", args=[application.reference])


def offered(response: Any) -> list[str]:
    return [item["action"].name for item in response.context["action_forms"]]


def page_errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def snapshot(application: Application) -> dict[str, Any]:
    """What a refused request must leave exactly as it was."""
    fresh = Application.objects.get(pk=application.pk)
    return {
        "state": fresh.state,
        "assigned_to": fresh.assigned_to_id,
        "corrections": fresh.corrections,
        "events": fresh.events.count(),
        "messages": Message.objects.filter(application=fresh).count(),
        "payments": FeePayment.objects.filter(application=fresh).count(),
        "audit": AuditEntry.objects.count(),
    }


def advance(world: dict[str, Any], application: Application, *actions: str) -> Application:
    for action in actions:
        application = services.application_act(
            actor=world["reviewer"], application=application, action=action
        )
    return application


# --- the page -----------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world, case):
    response = client_for(world["anonymous"]).get(case_url(case))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={case_url(case)}"


@pytest.mark.parametrize("who", ["applicant", "other_citizen", "officer_without"])
def test_people_without_a_case_permission_are_refused(world, case, who):
    assert client_for(world[who]).get(case_url(case)).status_code == 403


def test_an_officer_of_another_agency_cannot_find_the_case(world, case):
    assert client_for(world["officer_other_agency"]).get(case_url(case)).status_code == 404


def test_an_unknown_reference_is_not_found(world, case):
    url = reverse("backoffice:case", args=["APP-2569-999999"])
    assert client_for(world["reviewer"]).get(url).status_code == 404


def test_the_reviewer_sees_the_case_and_exactly_the_actions_of_document_check(world, case):
    services.message_post(
        actor=world["reviewer"], application=case, body="Phone the owner first.", internal=True
    )
    services.message_post(actor=world["applicant"], application=case, body="When will you visit?")
    response = client_for(world["reviewer"]).get(case_url(case))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert offered(response) == ["accept", "send_back", "request_document", "reject"]
    assert response.context["case"].can_claim is True
    html = response.content.decode()
    national_id = world["applicant"].national_id
    formatted = (
        f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}-{national_id[10:12]}-{national_id[12]}"
    )
    for text in (
        world["applicant"].full_name,
        formatted,
        "Food-shop permit",
        "(version 1)",
        "Document check",
        "ร้านข้าวแกงทดสอบ",  # the answers
        "Bang Rak",
        "Floor plan and layout of the shop",
        "plan.pdf",
        "Photo of the shop front and the kitchen area",
        "Submitted",
        "Phone the owner first.",
        "Internal note — never shown to the applicant",
        "When will you visit?",
    ):
        assert text in html, text
    assert html.count("Internal note — never shown to the applicant") == 1
    assert "House registration" not in html  # held by the state: never asked for, never listed


def test_the_page_is_complete_in_thai(world, case):
    response = client_for(world["reviewer"], language="th").get(case_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="th"' in html
    assert "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร" in html
    assert "ตรวจเอกสาร" in html
    assert "เอกสารครบถ้วน ส่งตรวจสถานที่" in html
    assert str(buddhist_year(local_today())) in html


def test_a_cashier_sees_the_case_but_is_offered_no_step(world, case):
    response = client_for(world["cashier_only"]).get(case_url(case))
    assert response.status_code == 200
    assert offered(response) == []
    assert response.context["case"].can_claim is False
    assert "None of your roles can take a step on this case now." in response.content.decode()


def test_the_actions_follow_the_state_and_the_roles(world, case):
    case = advance(world, case, "accept")
    assert offered(client_for(world["reviewer"]).get(case_url(case))) == ["pass", "fail"]
    # A reviewer without the inspector role has nothing to do at the site inspection.
    assert offered(client_for(world["second_reviewer"]).get(case_url(case))) == []


def test_an_escalated_case_offers_the_steps_to_the_role_it_was_escalated_to(world, case):
    approver = bang_rak_officer("approver")
    case = advance(world, case, "accept")
    assert offered(client_for(approver).get(case_url(case))) == []
    Application.objects.filter(pk=case.pk).update(escalated_role="approver")
    response = client_for(approver).get(case_url(case))
    assert offered(response) == ["pass", "fail"]
    assert "Escalated" in response.content.decode()


def test_officer_names_are_shown_in_the_history(world, case):
    advance(world, case, "accept")
    response = client_for(world["second_reviewer"]).get(case_url(case))
    [submitted, accepted] = response.context["case"].timeline
    assert submitted.officer == ""
    assert accepted.action == "Documents complete; send for site inspection"
    assert accepted.state_name == "Site inspection"
    assert accepted.officer == world["reviewer"].full_name
    assert world["reviewer"].full_name in response.content.decode()


def test_each_document_links_to_its_download(world, case):
    client = client_for(world["reviewer"])
    response = client.get(case_url(case))
    html = response.content.decode()
    rows = response.context["case"].documents
    assert [row.document.requirement for row in rows] == ["floor-plan", "shop-photo"]
    for row in rows:
        url = reverse("applications:document", kwargs={"public_id": row.document.public_id})
        assert f'<a class="govuk-link" href="{url}">{row.document.original_name}</a>' in html
        assert client.get(url).status_code == 200


# --- every POST against the authorization matrix ------------------------------------------------------

POSTS = {
    "case-act": {"action": "accept", "action-accept-note": "ok"},
    "case-claim": {},
    "case-release": {},
    "case-message": {"message-body": "Hello"},
    "case-note": {"note-body": "Internal"},
}


@pytest.mark.parametrize("name", sorted(POSTS))
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("applicant", 403), ("other_citizen", 403), ("officer_without", 403),
     ("officer_other_agency", 404)],
)  # fmt: skip
def test_refused_posts_change_nothing(world, case, name, who, status):
    if name == "case-release":
        services.case_claim(actor=world["reviewer"], application=case)
    client = client_for(world[who])
    before = snapshot(case)
    response = client.post(case_url(case, name), POSTS[name])
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(f"{reverse('account_login')}?next=")
    assert snapshot(case) == before


def test_posts_only_accept_post(world, case):
    client = client_for(world["reviewer"])
    for name in POSTS:
        assert client.get(case_url(case, name)).status_code == 405


def test_a_cashier_may_not_take_a_workflow_step_or_claim(world, case):
    client = client_for(world["cashier_only"])
    before = snapshot(case)
    assert client.post(case_url(case, "case-act"), POSTS["case-act"]).status_code == 403
    assert client.post(case_url(case, "case-claim")).status_code == 403
    assert snapshot(case) == before


def test_a_step_of_another_state_is_refused_on_the_page(world, case):
    client = client_for(world["reviewer"])
    before = snapshot(case)
    for action in ("pass", "no_such_step"):
        response = client.post(case_url(case, "case-act"), {"action": action})
        assert response.status_code == 200
        assert page_errors(response) == {
            "__all__": [f"“{action}” cannot be done while the application is at “Document check”."]
        }
        assert "There is a problem" in response.content.decode()
    assert snapshot(case) == before


# --- each kind of action ------------------------------------------------------------------------------


def test_advance_with_a_note(world, case):
    client = client_for(world["reviewer"])
    response = client.post(
        case_url(case, "case-act"), {"action": "accept", "action-accept-note": "All in order."}
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.state == "site_inspection"
    assert case.events.last().note == "All in order."
    entry = AuditEntry.objects.filter(action="applications.act").last()
    assert entry.payload == {"action": "accept", "from": "document_check", "to": "site_inspection"}
    page = client.get(response["Location"])
    assert "Done: Documents complete; send for site inspection." in page.content.decode()


def test_reject_without_a_reason_is_refused(world, case):
    client = client_for(world["reviewer"])
    before = snapshot(case)
    response = client.post(case_url(case, "case-act"), {"action": "reject", "action-reject-reason": "  "})
    assert response.status_code == 200
    assert page_errors(response) == {"reason": ["Give the reason for refusing."]}
    html = response.content.decode()
    assert '<a href="#id_action-reject-reason">Give the reason for refusing.</a>' in html
    assert "<title>Error:" in html
    assert snapshot(case) == before


def test_reject_with_a_reason(world, case):
    response = client_for(world["reviewer"]).post(
        case_url(case, "case-act"),
        {"action": "reject", "action-reject-reason": "The shop is not in Bangkok."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.holder) == ("rejected", "done")
    assert case.events.last().note == "The shop is not in Bangkok."


def test_send_back_with_marked_fields_and_documents(world, case):
    response = client_for(world["reviewer"]).post(
        case_url(case, "case-act"),
        {
            "action": "send_back",
            "action-send_back-fields_to_correct": ["shop_area_sqm", "shop_name"],
            "action-send_back-documents": ["floor-plan"],
            "action-send_back-note": "The plan does not match the area.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.holder) == ("correction", "applicant")
    assert case.corrections == {
        "fields": ["shop_area_sqm", "shop_name"],
        "documents": ["floor-plan"],
        "note": "The plan does not match the area.",
    }
    page = client_for(world["reviewer"]).get(case_url(case))
    assert offered(page) == []
    html = page.content.decode()
    assert "Corrections asked for" in html
    assert "Shop area (square metres)" in html
    assert "The plan does not match the area." in html


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"action-send_back-note": "Fix it."},
            {"fields_to_correct": ["Mark at least one field or document for the applicant to correct."]},
        ),
        (
            {"action-send_back-fields_to_correct": ["shop_name"]},
            {"note": ["Tell the applicant what to correct."]},
        ),
        (
            {"action-send_back-fields_to_correct": ["no_such_field"], "action-send_back-note": "Fix it."},
            {
                "fields_to_correct": [
                    "Select a valid choice. no_such_field is not one of the available choices."
                ]
            },
        ),
        (
            {"action-send_back-documents": ["house-registration"], "action-send_back-note": "Fix it."},
            {"documents": ["Select a valid choice. house-registration is not one of the available choices."]},
        ),
    ],
)
def test_send_back_bad_input_is_refused(world, case, data, errors):
    client = client_for(world["reviewer"])
    before = snapshot(case)
    response = client.post(case_url(case, "case-act"), {"action": "send_back", **data})
    assert response.status_code == 200
    assert page_errors(response) == errors
    assert snapshot(case) == before


def test_request_a_document(world, case):
    client = client_for(world["reviewer"])
    before = snapshot(case)
    refused = client.post(
        case_url(case, "case-act"), {"action": "request_document", "action-request_document-note": "Please."}
    )
    assert page_errors(refused) == {"requested_document": ["Choose the document to ask for."]}
    assert snapshot(case) == before
    response = client.post(
        case_url(case, "case-act"),
        {
            "action": "request_document",
            "action-request_document-requested_document": "shop-photo",
            "action-request_document-note": "The photo must show the kitchen.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "correction"
    assert case.corrections == {
        "fields": [],
        "documents": ["shop-photo"],
        "note": "The photo must show the kitchen.",
    }


# --- claim and release --------------------------------------------------------------------------------


def test_claim_and_release(world, case):
    client = client_for(world["reviewer"])
    response = client.post(case_url(case, "case-claim"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == world["reviewer"]
    page = client.get(case_url(case))
    assert "The case is assigned to you." in page.content.decode()
    assert page.context["case"].can_release is True
    assert client.post(case_url(case, "case-release")).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to is None
    assert list(
        AuditEntry.objects.filter(action__in=["applications.claim", "applications.release"]).values_list(
            "action", flat=True
        )
    ) == ["applications.claim", "applications.release"]


def test_a_second_claim_is_told_another_officer_took_the_case(world, case):
    services.case_claim(actor=world["reviewer"], application=case)
    client = client_for(world["second_reviewer"])
    before = snapshot(case)
    response = client.post(case_url(case, "case-claim"))
    assert response.status_code == 200
    assert page_errors(response) == {"__all__": ["Another officer has just taken this case."]}
    assert "Another officer has just taken this case." in response.content.decode()
    assert snapshot(case) == before
    # Nor can they release it for the one who has it.
    response = client.post(case_url(case, "case-release"))
    assert page_errors(response) == {"__all__": ["This case is not assigned to you."]}
    assert snapshot(case) == before


def test_claiming_again_your_own_case_changes_nothing(world, case):
    services.case_claim(actor=world["reviewer"], application=case)
    client = client_for(world["reviewer"])
    before = snapshot(case)
    assert client.post(case_url(case, "case-claim")).status_code == 302
    assert snapshot(case) == before


# --- messages and internal notes ----------------------------------------------------------------------


def test_message_the_applicant_and_add_an_internal_note(world, case):
    client = client_for(world["reviewer"])
    assert (
        client.post(case_url(case, "case-message"), {"message-body": "We visit on Monday."}).status_code
        == 302
    )
    assert (
        client.post(case_url(case, "case-note"), {"note-body": "Owner is hard to reach."}).status_code == 302
    )
    assert list(Message.objects.filter(application=case).values_list("body", "internal", "party")) == [
        ("We visit on Monday.", False, "officer"),
        ("Owner is hard to reach.", True, "officer"),
    ]
    assert list(
        AuditEntry.objects.filter(action__in=["applications.message", "applications.note"]).values_list(
            "action", flat=True
        )
    ) == ["applications.message", "applications.note"]


@pytest.mark.parametrize(("name", "field"), [("case-message", "message-body"), ("case-note", "note-body")])
def test_an_empty_message_is_refused(world, case, name, field):
    client = client_for(world["reviewer"])
    before = snapshot(case)
    response = client.post(case_url(case, name), {field: "   "})
    assert response.status_code == 200
    assert page_errors(response) == {"body": ["Write your message."]}
    assert f'<a href="#id_{field}">Write your message.</a>' in response.content.decode()
    assert snapshot(case) == before


# --- the counter payment ------------------------------------------------------------------------------


def test_the_case_page_shows_the_fee_bill_and_links_officers_who_may_see_it(
    world, case, django_capture_on_commit_callbacks
):
    page = client_for(world["reviewer"]).get(case_url(case))
    assert (page.context["case"].bill, page.context["case"].can_open_bill) == (None, False)
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(world, case, "accept", "pass", "approve_for_payment")
    bill = Bill.objects.get(kind="application_fee", subject_reference=case.reference)
    bill_url = reverse("payments:manage-bill", args=[bill.reference])
    for who in ("reviewer", "cashier_only"):
        page = client_for(world[who]).get(case_url(case))
        assert (page.context["case"].bill, page.context["case"].can_open_bill) == (bill, True)
        html = page.content.decode()
        assert f"To take the fee in cash, open bill {bill.reference}." in html
        assert f'href="{bill_url}">Open the bill</a>' in html
        assert f'<a class="govuk-link" href="{bill_url}">{bill.reference}</a>' in html
        assert "Not yet paid" in html
        assert "Permit fee (by the size of the shop)" in html
        assert "THB 300.00" in html  # 100 baht application fee + 200 baht for up to 50 square metres
    # A reviewer without payments.view sees the bill's number and state, but no way to its page.
    page = client_for(world["second_reviewer"]).get(case_url(case))
    assert (page.context["case"].bill, page.context["case"].can_open_bill) == (bill, False)
    html = page.content.decode()
    assert bill.reference in html
    assert bill_url not in html


def test_while_the_bill_is_being_made_the_case_page_says_so(world, case):
    # No after-commit callbacks: the FeeDue has not been turned into a bill yet.
    case = advance(world, case, "accept", "pass", "approve_for_payment")
    html = client_for(world["reviewer"]).get(case_url(case)).content.decode()
    assert "The bill for this fee is being prepared." in html
    assert "Open the bill" not in html


# --- the whole journey by officers --------------------------------------------------------------------


def test_the_food_shop_journey_by_officer_actions(world, case, django_capture_on_commit_callbacks):
    client = client_for(world["reviewer"])
    act = case_url(case, "case-act")
    assert client.post(case_url(case, "case-claim")).status_code == 302
    assert client.post(act, {"action": "accept", "action-accept-note": "Complete."}).status_code == 302
    assert client.post(act, {"action": "pass", "action-pass-note": "Clean kitchen."}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(act, {"action": "approve_for_payment"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.fee_total_satang) == ("awaiting_payment", 30000)
    bill = Bill.objects.get(kind="application_fee", subject_reference=case.reference)
    # The cashier takes the cash on the bill's page, which the case page links to.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:manage-bill-cash", args=[bill.reference]), {"cash-amount": "300.00"}
        )
    receipt = Receipt.objects.get(payment__bill=bill)
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:receipt", args=[receipt.public_id])
    case.refresh_from_db()
    assert case.state == "issue"
    assert list(
        FeePayment.objects.filter(application=case).values_list("amount_satang", "channel", "receipt_number")
    ) == [(30000, "counter", receipt.number)]
    page = client.get(case_url(case))
    assert offered(page) == ["issue"]
    assert receipt.number in page.content.decode()
    assert client.post(act, {"action": "issue"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.holder) == ("approved", "done")
    outcome = Outcome.objects.get(application=case)
    assert re.fullmatch(rf"FSP-{buddhist_year(local_today())}-\d{{6}}", outcome.number)
    assert outcome.holder == world["applicant"]
    closed = client.get(case_url(case))
    assert offered(closed) == []
    assert "This case is closed." in closed.content.decode()
    assert [row.action for row in closed.context["case"].timeline] == [
        "Submitted",
        "Documents complete; send for site inspection",
        "Passed the site inspection",
        "Approve and ask for the fee",
        "Fee paid",
        "Issue the permit",
    ]
