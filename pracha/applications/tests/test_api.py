"""Applications and officer tasks through the JSON API: the whole food-shop journey, the authorization
matrix of every endpoint (a refused call changes nothing and audits nothing), bad input, and the
OpenAPI document."""

import hashlib
import io
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import verified_email, with_totp
from pracha.accounts import services as account_services
from pracha.accounts.public import businesses_for
from pracha.accounts.tests.conftest import client_for
from pracha.accounts.tests.factories import UserFactory
from pracha.agencies.public import Agency, Role
from pracha.agencies.tests.factories import MembershipFactory
from pracha.applications import services
from pracha.applications.models import Application, ApplicationDocument, Holder
from pracha.applications.tests.helpers import (
    FOOD_SHOP_ANSWERS,
    act,
    food_shop_draft,
    pay_fee_at_counter,
    submitted_food_shop,
)
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.audit.public import AuditEntry
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.catalogue.services import definition_save
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import due_date, local_today

APPLICATIONS = "/api/v1/applications/"
TASKS = "/api/v1/tasks/"
JSON = "application/json"
NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}
NOT_FOUND = {"code": "not_found", "message": "We could not find what you asked for.", "fields": {}}
PERMISSION_DENIED = {
    "code": "permission_denied",
    "message": "You do not have permission to do this.",
    "fields": {},
}
NOT_A_CASE_OFFICER = {
    "code": "permission_denied",
    "message": "Only officers with a role that handles applications can use the task list.",
    "fields": {},
}
IDEMPOTENCY_KEY_MISSING = (
    "Send an Idempotency-Key header with a value of your own that is unique to this submission, "
    "such as a new UUID. Send the same value again if you retry, so the application is not submitted twice."
)
NOT_ASKED = "This service does not ask for that document."
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def api(user: Any) -> Client:
    """A client speaking English, signed in with the browser session unless anonymous."""
    return client_for(user)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def snapshot(application: Application) -> tuple[Any, ...]:
    application.refresh_from_db()
    return (application.state, application.holder, application.assigned_to_id, application.answers,
            application.corrections, application.reference, application.events.count(),
            application.documents.count())  # fmt: skip


def upload(client: Client, key: str, requirement: str, data: bytes, name: str) -> Any:
    return client.post(
        f"{APPLICATIONS}{key}/documents", {"requirement": requirement, "file": named(data, name)}
    )


def named(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def submit(client: Client, key: str, idempotency_key: str | None) -> Any:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    return client.post(f"{APPLICATIONS}{key}/submit", headers=headers)


def complete(client: Client, reference: Any, action: str, **details: Any) -> Any:
    return client.post(f"{TASKS}{reference}/complete", {"action": action, **details}, content_type=JSON)


def officer_with_roles(agency_code: str, *role_codes: str) -> Any:
    officer = with_totp(verified_email(UserFactory()))
    MembershipFactory(
        user=officer,
        agency=Agency.objects.get(code=agency_code),
        roles=list(Role.objects.filter(code__in=role_codes)),
    )
    return officer


# --- the journey --------------------------------------------------------------------------------------


def test_the_food_shop_journey_through_the_api(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    citizen, officer = api(applicant), api(reviewer)

    # A draft.
    created = citizen.post(APPLICATIONS, {"service": "food-shop-permit"}, content_type=JSON)
    assert created.status_code == 201
    draft = created.json()
    application = Application.objects.get()
    assert draft["id"] == str(application.public_id)
    assert draft["reference"] is None
    assert draft["service"] == {
        "code": "food-shop-permit",
        "name": {"th": "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "en": "Food-shop permit"},
        "version": application.service_version.number,
    }
    assert (draft["state"], draft["status"], draft["answers"]) == ("draft", "draft", {})
    assert (draft["state_name"]["en"], draft["status_name"]["en"]) == ("Draft", "Draft")
    assert [action["name"] for action in draft["actions"]] == ["submit", "delete"]
    assert (draft["documents"], draft["timeline"], draft["outcome"]) == ([], [], None)
    key = draft["id"]

    # Answers, then documents checked by their content.
    saved = citizen.patch(f"{APPLICATIONS}{key}", {"answers": FOOD_SHOP_ANSWERS}, content_type=JSON)
    assert saved.status_code == 200
    assert saved.json()["answers"] == FOOD_SHOP_ANSWERS
    plan, photo = make_pdf(2), make_png()
    uploaded_plan = upload(citizen, key, "floor-plan", plan, "แบบแปลน.pdf")
    uploaded_photo = upload(citizen, key, "shop-photo", photo, "shop.png")
    assert (uploaded_plan.status_code, uploaded_photo.status_code) == (201, 201)
    document = ApplicationDocument.objects.get(requirement="floor-plan")
    assert uploaded_plan.json() == {
        "id": str(document.public_id),
        "requirement": "floor-plan",
        "name": "แบบแปลน.pdf",
        "kind": "pdf",
        "content_type": "application/pdf",
        "size": len(plan),
        "pages": 2,
        "sha256": hashlib.sha256(plan).hexdigest(),
        "uploaded_at": uploaded_plan.json()["uploaded_at"],
    }
    assert (uploaded_photo.json()["kind"], uploaded_photo.json()["pages"]) == ("png", None)
    assert [d["requirement"] for d in citizen.get(f"{APPLICATIONS}{key}").json()["documents"]] == [
        "floor-plan",
        "shop-photo",
    ]

    # Submitted once, however often the request is sent with its key.
    first = submit(citizen, key, "submit-0001")
    again = submit(citizen, key, "submit-0001")
    assert (first.status_code, again.status_code) == (200, 200)
    reference = f"APP-{buddhist_year(local_today())}-000001"
    assert first.json()["reference"] == again.json()["reference"] == reference
    assert first.json() == again.json()
    assert Application.objects.count() == 1
    assert audit_count("applications.submit") == 1
    submitted = first.json()
    assert (submitted["state"], submitted["status"]) == ("document_check", "agency")
    assert submitted["state_name"] == {"th": "ตรวจเอกสาร", "en": "Document check"}
    assert submitted["holding_agency"] == {
        "code": "bma-bang-rak",
        "name": {"th": "สำนักงานเขตบางรัก", "en": "Bang Rak District Office"},
    }
    assert submitted["due_date"] == due_date(local_today(), 30).isoformat()
    assert [a["name"] for a in submitted["actions"]] == ["withdraw"]

    # The applicant's list.
    listed = citizen.get(APPLICATIONS)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    (item,) = listed.json()["items"]
    assert (item["reference"], item["status"], item["holding_agency"]["code"], item["due_date"]) == (
        reference,
        "agency",
        "bma-bang-rak",
        submitted["due_date"],
    )
    assert citizen.get(f"{APPLICATIONS}{reference}").json()["id"] == key

    # The officer's queue, a claim, and the steps of the workflow.
    queue = officer.get(TASKS)
    assert queue.status_code == 200
    assert queue.json()["count"] == 1
    (task,) = queue.json()["items"]
    assert task["reference"] == reference
    assert (task["state"], task["assigned_to"], task["overdue"]) == ("document_check", None, False)
    assert task["due_date"] == due_date(local_today(), 3).isoformat()
    assert [a["name"] for a in task["actions"]] == ["accept", "send_back", "request_document", "reject"]

    claimed = officer.post(f"{TASKS}{reference}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["assigned_to"] == str(reviewer.public_id)
    assert audit_count("applications.claim") == 1
    assert [t["reference"] for t in officer.get(TASKS, {"tab": "mine"}).json()["items"]] == [reference]
    assert officer.get(TASKS).json()["items"] == []  # no longer unassigned

    accepted = complete(officer, reference, "accept")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "site_inspection"
    assert complete(officer, reference, "pass").json()["state"] == "approval"
    assert complete(officer, reference, "approve_for_payment").json()["state"] == "awaiting_payment"

    waiting = citizen.get(f"{APPLICATIONS}{reference}").json()
    assert (waiting["status"], waiting["fees"]) == (
        "payment",
        {
            "lines": [
                {
                    "code": "application-fee",
                    "name": {"th": "ค่าธรรมเนียมคำขอ", "en": "Application fee"},
                    "amount_satang": 10000,
                },
                {
                    "code": "permit-fee",
                    "name": {
                        "th": "ค่าธรรมเนียมใบอนุญาต (ตามขนาดพื้นที่ร้าน)",
                        "en": "Permit fee (by the size of the shop)",
                    },
                    "amount_satang": 20000,
                },
            ],
            "total_satang": 30000,
        },
    )
    pay_fee_at_counter(reviewer, application)
    issued = complete(officer, reference, "issue")
    assert issued.status_code == 200
    assert issued.json()["state"] == "approved"

    # What the applicant sees at the end: the outcome, and a timeline naming agencies, not officers.
    done = citizen.get(f"{APPLICATIONS}{reference}").json()
    assert (done["state"], done["status"], done["actions"]) == ("approved", "done", [])
    assert done["outcome"]["number"] == f"FSP-{buddhist_year(local_today())}-000001"
    assert done["outcome"]["kind"] == "licence"
    assert done["outcome"]["valid_until"] is not None
    assert [(e["action"], e["party"], e["agency"] and e["agency"]["code"]) for e in done["timeline"]] == [
        ("submit", "applicant", None),
        ("accept", "officer", "bma-bang-rak"),
        ("pass", "officer", "bma-bang-rak"),
        ("approve_for_payment", "officer", "bma-bang-rak"),
        ("paid", "system", None),
        ("issue", "officer", "bma-bang-rak"),
    ]
    assert all(event["officer"] is None for event in done["timeline"])
    assert audit_count("applications.act") == 4


def test_officers_see_who_acted_and_applicants_only_where_the_service_says_so(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    act(reviewer, application, "accept")
    reference = application.reference

    seen_by_officer = api(reviewer).get(f"{APPLICATIONS}{reference}").json()["timeline"][1]
    seen_by_applicant = api(applicant).get(f"{APPLICATIONS}{reference}").json()["timeline"][1]

    assert seen_by_officer["officer"] == {
        "th": f"{reviewer.first_name_th} {reviewer.last_name_th}",
        "en": f"{reviewer.first_name_en} {reviewer.last_name_en}",
    }
    assert seen_by_applicant["officer"] is None
    assert seen_by_applicant["agency"]["code"] == "bma-bang-rak"


def test_applicants_see_officers_names_where_the_service_says_so(service_world: Any) -> None:
    data = yaml.safe_load((DEFINITIONS_DIR / "food-shop-permit.yaml").read_text())
    definition_save(actor=None, data={**data, "show_officer_names": True}, publish=True)
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = act(reviewer, submitted_food_shop(applicant), "accept")

    timeline = api(applicant).get(f"{APPLICATIONS}{application.reference}").json()["timeline"]

    assert [event["officer"] for event in timeline] == [
        None,  # the applicant's own submission
        {
            "th": f"{reviewer.first_name_th} {reviewer.last_name_th}",
            "en": f"{reviewer.first_name_en} {reviewer.last_name_en}",
        },
    ]


def test_send_back_correct_and_resubmit(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    reference = submitted_food_shop(applicant).reference
    citizen = api(applicant)

    sent_back = complete(
        api(reviewer), reference, "send_back", note="The area looks wrong.", fields=["shop_area_sqm"]
    )
    assert sent_back.status_code == 200
    back = citizen.get(f"{APPLICATIONS}{reference}").json()
    assert (back["state"], back["status"]) == ("correction", "applicant")
    assert back["corrections"] == {
        "fields": ["shop_area_sqm"],
        "documents": [],
        "note": "The area looks wrong.",
    }
    assert [a["name"] for a in back["actions"]] == ["resubmit", "withdraw"]

    unmarked = citizen.patch(f"{APPLICATIONS}{reference}", {"answers": {"shop_name": "x"}}, content_type=JSON)
    assert unmarked.status_code == 400
    assert unmarked.json()["fields"] == {
        "shop_name": ["Only the fields the agency asked you to correct can be changed."]
    }
    corrected = citizen.patch(
        f"{APPLICATIONS}{reference}", {"answers": {"shop_area_sqm": 45}}, content_type=JSON
    )
    assert corrected.status_code == 200
    resubmitted = citizen.post(
        f"{APPLICATIONS}{reference}/actions", {"action": "resubmit"}, content_type=JSON
    )
    assert resubmitted.status_code == 200
    assert (resubmitted.json()["state"], resubmitted.json()["corrections"]) == ("document_check", None)
    assert resubmitted.json()["answers"]["shop_area_sqm"] == 45


def test_the_second_party_consents_through_the_api(service_world: Any) -> None:
    applicant, owner = service_world["applicant"], service_world["house_owner"]
    citizen = api(applicant)
    key = citizen.post(APPLICATIONS, {"service": "change-of-address"}, content_type=JSON).json()["id"]
    answers = {
        "new_house_number": "12/3",
        "new_address": "ถนนสีลม แขวงสุริยวงศ์ เขตบางรัก กรุงเทพมหานคร",
        "moving_date": "2026-01-05",
        "owner_national_id": owner.national_id,
        "reason": "ย้ายมาอยู่กับครอบครัว",
    }
    assert citizen.patch(f"{APPLICATIONS}{key}", {"answers": answers}, content_type=JSON).status_code == 200
    reference = submit(citizen, key, "coa-1").json()["reference"]
    second_party = api(owner)

    seen = second_party.get(f"{APPLICATIONS}{reference}")
    assert seen.status_code == 200
    request = seen.json()
    # Only what consenting needs: not their own ID number, not the applicant's reason or history.
    assert request["answers"] == {
        "new_house_number": "12/3",
        "new_address": answers["new_address"],
        "moving_date": "2026-01-05",
    }
    assert (request["documents"], request["timeline"]) == ([], [])
    assert [a["name"] for a in request["actions"]] == ["consent", "decline"]
    # The second party cannot change the applicant's answers or withdraw for them.
    before = snapshot(Application.objects.get())
    patched = second_party.patch(
        f"{APPLICATIONS}{reference}", {"answers": {"reason": "x"}}, content_type=JSON
    )
    withdrawn = second_party.post(f"{APPLICATIONS}{reference}/withdraw", {}, content_type=JSON)
    assert (patched.status_code, withdrawn.status_code) == (403, 403)
    assert snapshot(Application.objects.get()) == before

    consented = second_party.post(
        f"{APPLICATIONS}{reference}/actions", {"action": "consent"}, content_type=JSON
    )
    assert consented.status_code == 200
    assert consented.json()["state"] == "registrar_review"
    # Once consent is given, the application is no longer theirs to see.
    assert second_party.get(f"{APPLICATIONS}{reference}").status_code == 404


def test_applying_for_a_business_one_acts_for(service_world: Any) -> None:
    applicant = service_world["applicant"]
    (business,) = businesses_for(user=applicant)
    created = api(applicant).post(
        APPLICATIONS,
        {"service": "food-shop-permit", "on_behalf_of": str(business.public_id)},
        content_type=JSON,
    )
    assert created.status_code == 201
    assert created.json()["on_behalf_of"] == str(business.public_id)
    assert Application.objects.get().on_behalf_of == business

    refused = api(service_world["other_citizen"]).post(
        APPLICATIONS,
        {"service": "food-shop-permit", "on_behalf_of": str(business.public_id)},
        content_type=JSON,
    )
    assert refused.status_code == 400
    message = "You are not authorised to act for this business, or there is no such business."
    assert refused.json() == {
        "code": "invalid_input",
        "message": message,
        "fields": {"on_behalf_of": [message]},
    }
    assert Application.objects.count() == 1


def test_withdrawing_and_deleting(service_world: Any) -> None:
    applicant = service_world["applicant"]
    citizen = api(applicant)
    reference = submitted_food_shop(applicant).reference
    draft = food_shop_draft(applicant)

    withdrawn = citizen.post(
        f"{APPLICATIONS}{reference}/withdraw", {"reason": "Changed my plans"}, content_type=JSON
    )
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["state"], withdrawn.json()["status"], withdrawn.json()["actions"]) == (
        "withdrawn",
        "done",
        [],
    )
    assert withdrawn.json()["timeline"][-1]["note"] == "Changed my plans"
    assert citizen.delete(f"{APPLICATIONS}{reference}").status_code == 409  # only drafts are deleted

    deleted = citizen.delete(f"{APPLICATIONS}{draft.public_id}")
    assert deleted.status_code == 204
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert citizen.get(f"{APPLICATIONS}{draft.public_id}").status_code == 404
    assert audit_count("applications.draft_delete") == 1


def test_downloading_a_document(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    document = ApplicationDocument.objects.get(application=application, requirement="floor-plan")
    path = f"{APPLICATIONS}{application.reference}/documents/{document.public_id}"
    other = food_shop_draft(applicant)

    for user in (applicant, reviewer):
        response = api(user).get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert hashlib.sha256(response.getvalue()).hexdigest() == document.sha256
    assert api(service_world["other_citizen"]).get(path).status_code == 404
    assert api(service_world["officer_other_agency"]).get(path).status_code == 404
    # A document is only found under its own application.
    assert (
        api(applicant).get(f"{APPLICATIONS}{other.public_id}/documents/{document.public_id}").status_code
        == 404
    )
    assert (
        api(applicant).get(f"{APPLICATIONS}{application.reference}/documents/not-a-uuid").status_code == 404
    )


# --- the authorization matrix -------------------------------------------------------------------------

OUTSIDERS = ["other_citizen", "officer_other_agency", "officer_without"]
DRAFT_CALLS: dict[str, Any] = {
    "get": lambda c, k: c.get(f"{APPLICATIONS}{k}"),
    "patch": lambda c, k: c.patch(f"{APPLICATIONS}{k}", {"answers": {"shop_name": "x"}}, content_type=JSON),
    "delete": lambda c, k: c.delete(f"{APPLICATIONS}{k}"),
    "upload": lambda c, k: upload(c, k, "floor-plan", make_pdf(1), "plan.pdf"),
    "submit": lambda c, k: submit(c, k, "key-1"),
    "download": lambda c, k: c.get(
        f"{APPLICATIONS}{k}/documents/{ApplicationDocument.objects.get(requirement='floor-plan').public_id}"
    ),
}
DRAFT_AUDITS = [
    "applications.answers_save",
    "applications.draft_delete",
    "applications.document_upload",
    "applications.submit",
]


@pytest.mark.parametrize("call", sorted(DRAFT_CALLS))
@pytest.mark.parametrize("who", ["anonymous", *OUTSIDERS, "reviewer"])
def test_a_draft_is_only_the_applicants(service_world: Any, call: str, who: str) -> None:
    draft = food_shop_draft(service_world["applicant"])
    before, audits = snapshot(draft), [audit_count(action) for action in DRAFT_AUDITS]

    response = DRAFT_CALLS[call](api(service_world[who]), str(draft.public_id))

    # Nobody but the applicant sees a draft, officers included: not even that it exists.
    assert (response.status_code, response.json()) == (
        (401, NOT_AUTHENTICATED) if who == "anonymous" else (404, NOT_FOUND)
    )
    assert snapshot(draft) == before
    assert [audit_count(action) for action in DRAFT_AUDITS] == audits


SUBMITTED_CALLS: dict[str, Any] = {
    "get": lambda c, r: c.get(f"{APPLICATIONS}{r}"),
    "patch": lambda c, r: c.patch(f"{APPLICATIONS}{r}", {"answers": {"shop_name": "x"}}, content_type=JSON),
    "withdraw": lambda c, r: c.post(f"{APPLICATIONS}{r}/withdraw", {}, content_type=JSON),
    "act": lambda c, r: c.post(f"{APPLICATIONS}{r}/actions", {"action": "accept"}, content_type=JSON),
    "task": lambda c, r: c.get(f"{TASKS}{r}"),
    "claim": lambda c, r: c.post(f"{TASKS}{r}/claim"),
    "release": lambda c, r: c.post(f"{TASKS}{r}/release"),
    "complete": lambda c, r: complete(c, r, "accept"),
}
SUBMITTED_AUDITS = [
    "applications.answers_save",
    "applications.withdraw",
    "applications.act",
    "applications.claim",
    "applications.release",
]
# What each caller gets; anything not 2xx must leave the application and the audit log as they were.
EXPECTED: dict[str, dict[str, int]] = {
    "anonymous": dict.fromkeys(SUBMITTED_CALLS, 401),
    "other_citizen": {
        **dict.fromkeys(SUBMITTED_CALLS, 404),
        "task": 403,
        "claim": 403,
        "release": 403,
        "complete": 403,
    },
    "officer_without": {
        **dict.fromkeys(SUBMITTED_CALLS, 404),
        "task": 403,
        "claim": 403,
        "release": 403,
        "complete": 403,
    },
    "officer_other_agency": dict.fromkeys(SUBMITTED_CALLS, 404),
    # Sees it, but may not act as the applicant; not holding a claim, has nothing to release.
    "reviewer": {
        "get": 200,
        "patch": 403,
        "withdraw": 403,
        "act": 200,
        "task": 200,
        "claim": 200,
        "release": 409,
        "complete": 200,
    },
    # The applicant may read it and withdraw it, but takes no officer's step and has no task list.
    "applicant": {
        "get": 200,
        "patch": 409,
        "withdraw": 200,
        "act": 403,
        "task": 403,
        "claim": 403,
        "release": 403,
        "complete": 403,
    },
}


@pytest.mark.parametrize("call", sorted(SUBMITTED_CALLS))
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_matrix_of_a_submitted_application(service_world: Any, call: str, who: str) -> None:
    application = submitted_food_shop(service_world["applicant"])
    before, audits = snapshot(application), [audit_count(action) for action in SUBMITTED_AUDITS]

    response = SUBMITTED_CALLS[call](api(service_world[who]), application.reference)

    assert response.status_code == EXPECTED[who][call]
    if response.status_code == 401:
        assert response.json() == NOT_AUTHENTICATED
    elif response.status_code == 404:
        assert response.json() == NOT_FOUND
    if response.status_code >= 400:
        assert snapshot(application) == before
        assert [audit_count(action) for action in SUBMITTED_AUDITS] == audits


@pytest.mark.parametrize("who", ["other_citizen", "officer_without", "applicant"])
def test_the_task_list_is_for_officers_who_handle_applications(service_world: Any, who: str) -> None:
    submitted_food_shop(service_world["applicant"])

    response = api(service_world[who]).get(TASKS)

    assert (response.status_code, response.json()) == (403, NOT_A_CASE_OFFICER)


def test_the_task_list_needs_a_sign_in(service_world: Any) -> None:
    assert (api(service_world["anonymous"]).get(TASKS).json()) == NOT_AUTHENTICATED


def test_an_officer_of_another_agency_sees_none_of_its_tasks(service_world: Any) -> None:
    submitted_food_shop(service_world["applicant"])
    officer = api(service_world["officer_other_agency"])

    for tab in ("unassigned", "mine", "due_soon", "overdue", "all"):
        response = officer.get(TASKS, {"tab": tab})
        assert response.status_code == 200
        assert response.json() == {"items": [], "count": 0}


def test_an_officer_without_the_role_this_step_needs_cannot_claim_or_complete(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    inspector = api(officer_with_roles("bma-bang-rak", "inspector"))
    before = snapshot(application)

    # The case is at the document check, which only reviewers and approvers act on.
    task = inspector.get(f"{TASKS}{application.reference}")
    claimed = inspector.post(f"{TASKS}{application.reference}/claim")
    completed = complete(inspector, application.reference, "accept")

    assert task.status_code == 200
    assert task.json()["actions"] == []
    assert (claimed.status_code, claimed.json()["message"]) == (
        403,
        "None of your roles can act on this case now.",
    )
    assert (completed.status_code, completed.json()["code"]) == (403, "permission_denied")
    assert snapshot(application) == before
    assert audit_count("applications.claim") == audit_count("applications.act") == 0
    assert inspector.get(TASKS).json()["items"] == []


def test_a_claim_lost_to_another_officer_is_a_conflict(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    colleague = officer_with_roles("bma-bang-rak", "reviewer")
    assert api(colleague).post(f"{TASKS}{application.reference}/claim").status_code == 200

    lost = api(service_world["reviewer"]).post(f"{TASKS}{application.reference}/claim")

    assert lost.status_code == 409
    assert lost.json() == {
        "code": "conflict",
        "message": "Another officer has just taken this case.",
        "fields": {},
    }
    application.refresh_from_db()
    assert application.assigned_to == colleague
    assert audit_count("applications.claim") == 1


def test_releasing_a_claimed_task(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    officer = api(service_world["reviewer"])
    officer.post(f"{TASKS}{application.reference}/claim")

    released = officer.post(f"{TASKS}{application.reference}/release")

    assert released.status_code == 200
    assert released.json()["assigned_to"] is None
    assert audit_count("applications.release") == 1
    assert [t["reference"] for t in officer.get(TASKS).json()["items"]] == [application.reference]


def test_an_agency_systems_token_cannot_apply_or_work_tasks(service_world: Any) -> None:
    admin = Agency.objects.get(code="dga").memberships.get().user
    _token, key = account_services.api_token_create(actor=admin, name="Agency system", agency_code="dga")
    application = submitted_food_shop(service_world["applicant"])
    client = Client()

    created = client.post(
        APPLICATIONS, {"service": "food-shop-permit"}, content_type=JSON, headers=bearer(key)
    )
    listed = client.get(APPLICATIONS, headers=bearer(key))
    tasks = client.get(TASKS, headers=bearer(key))
    claimed = client.post(f"{TASKS}{application.reference}/claim", headers=bearer(key))

    assert [r.status_code for r in (created, listed, tasks, claimed)] == [403, 403, 403, 403]
    assert created.json()["code"] == "permission_denied"
    assert Application.objects.count() == 1
    assert audit_count("applications.draft_create") == 1  # the helper's draft only


def test_a_persons_own_token_works_like_their_session(service_world: Any) -> None:
    applicant = service_world["applicant"]
    _token, key = account_services.api_token_create(actor=applicant, name="My script")
    submitted_food_shop(applicant)

    response = Client().get(APPLICATIONS, headers=bearer(key))

    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- bad input ----------------------------------------------------------------------------------------


@pytest.fixture
def draft(service_world: Any) -> Application:
    return services.draft_create(actor=service_world["applicant"], service_code="food-shop-permit")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("big", "“Shop area (square metres)” must be a number."),
        (True, "“Shop area (square metres)” must be a number."),
        (0, "“Shop area (square metres)” must be 1 or more."),
    ],
)
def test_a_wrong_answer_is_a_field_error_and_saves_nothing(
    service_world: Any, draft: Application, value: Any, message: str
) -> None:
    response = api(service_world["applicant"]).patch(
        f"{APPLICATIONS}{draft.public_id}",
        {"answers": {"shop_name": "ร้าน", "shop_area_sqm": value}},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["fields"] == {"shop_area_sqm": [message]}
    draft.refresh_from_db()
    assert draft.answers == {}
    assert audit_count("applications.answers_save") == 0


def test_field_errors_follow_the_callers_language(service_world: Any, draft: Application) -> None:
    thai = client_for(service_world["applicant"], language="th")

    response = thai.patch(
        f"{APPLICATIONS}{draft.public_id}", {"answers": {"shop_area_sqm": "big"}}, content_type=JSON
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "th"
    (message,) = response.json()["fields"]["shop_area_sqm"]
    assert "พื้นที่ร้าน (ตารางเมตร)" in message  # the field's Thai label, from the service definition
    assert "Shop area" not in message


def test_completing_a_draft_names_every_missing_answer(service_world: Any, draft: Application) -> None:
    response = api(service_world["applicant"]).patch(
        f"{APPLICATIONS}{draft.public_id}",
        {"answers": {"shop_name": "ร้าน"}, "complete": True},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["district", "shop_address", "shop_area_sqm"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer": {}}, "answer"),
        ({"answers": []}, "answers"),
        ({"answers": {}, "complete": "maybe"}, "complete"),
    ],
)
def test_a_malformed_body_is_refused_naming_the_key(
    service_world: Any, draft: Application, body: dict[str, Any], field: str
) -> None:
    response = api(service_world["applicant"]).patch(
        f"{APPLICATIONS}{draft.public_id}", body, content_type=JSON
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert field in response.json()["fields"]
    assert audit_count("applications.answers_save") == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, IDEMPOTENCY_KEY_MISSING),
        ("   ", IDEMPOTENCY_KEY_MISSING),
        ("k" * 81, "The Idempotency-Key must be 1 to 80 visible ASCII characters."),
    ],
)
def test_submitting_needs_a_good_idempotency_key(
    service_world: Any, header: str | None, message: str
) -> None:
    draft = food_shop_draft(service_world["applicant"])
    before = snapshot(draft)

    response = submit(api(service_world["applicant"]), str(draft.public_id), header)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": message,
        "fields": {"Idempotency-Key": [message]},
    }
    assert snapshot(draft) == before
    assert audit_count("applications.submit") == 0


def test_another_key_for_a_submitted_application_is_a_conflict(service_world: Any) -> None:
    draft = food_shop_draft(service_world["applicant"])
    citizen = api(service_world["applicant"])
    assert submit(citizen, str(draft.public_id), "first").status_code == 200
    before = snapshot(draft)

    response = submit(citizen, str(draft.public_id), "second")

    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "This application has already been submitted.",
        "fields": {},
    }
    assert snapshot(draft) == before
    assert audit_count("applications.submit") == 1


def test_an_incomplete_draft_is_not_submitted(service_world: Any, draft: Application) -> None:
    response = submit(api(service_world["applicant"]), str(draft.public_id), "k")

    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == [
        "district", "document-floor-plan", "document-shop-photo", "shop_address", "shop_area_sqm",
        "shop_name",
    ]  # fmt: skip
    draft.refresh_from_db()
    assert (draft.reference, draft.holder) == (None, Holder.DRAFT)
    assert audit_count("applications.submit") == 0


def test_a_renamed_program_uploaded_as_a_pdf_is_refused(service_world: Any, draft: Application) -> None:
    response = upload(
        api(service_world["applicant"]), str(draft.public_id), "floor-plan", WINDOWS_PROGRAM, "plan.pdf"
    )

    message = "The file must be a PDF, JPEG or PNG. This file is not one of those, whatever its name says."
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "message": message, "fields": {"file": [message]}}
    assert not ApplicationDocument.objects.exists()
    assert audit_count("applications.document_upload") == 0


def test_a_file_too_large_is_refused_without_reading_it_whole(service_world: Any, draft: Application) -> None:
    too_big = make_pdf(1) + b"\n%" + b"x" * (5120 * 1024)

    response = upload(
        api(service_world["applicant"]), str(draft.public_id), "floor-plan", too_big, "plan.pdf"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"requirement": "house-registration"}, "requirement", NOT_ASKED),
        ({"requirement": "no-such-thing"}, "requirement", NOT_ASKED),
        ({}, "requirement", NOT_ASKED),
        ({"requirement": "floor-plan"}, "file", "Select a file to upload."),
    ],
)
def test_an_upload_of_nothing_or_for_nothing_the_service_asks_is_refused(
    service_world: Any, draft: Application, data: dict[str, str], field: str, message: str
) -> None:
    body: dict[str, Any] = {**data}
    if field != "file":
        body["file"] = named(make_pdf(1), "plan.pdf")
    response = api(service_world["applicant"]).post(f"{APPLICATIONS}{draft.public_id}/documents", body)

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "message": message, "fields": {field: [message]}}
    assert not ApplicationDocument.objects.exists()
    assert audit_count("applications.document_upload") == 0


def test_an_unknown_service_is_a_field_error(service_world: Any) -> None:
    response = api(service_world["applicant"]).post(
        APPLICATIONS, {"service": "no-such-service"}, content_type=JSON
    )

    message = "There is no service with this code open for applications."
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_input", "message": message, "fields": {"service": [message]}}
    assert not Application.objects.exists()


def test_rejecting_needs_a_reason(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    before = snapshot(application)

    response = complete(api(service_world["reviewer"]), application.reference, "reject")

    assert response.status_code == 400
    assert response.json()["fields"] == {"reason": ["Give the reason for refusing."]}
    assert snapshot(application) == before
    assert audit_count("applications.act") == 0


def test_an_action_the_state_does_not_have_is_a_conflict(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])

    response = complete(api(service_world["reviewer"]), application.reference, "issue")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert audit_count("applications.act") == 0


def test_an_unknown_tab_is_refused(service_world: Any) -> None:
    response = api(service_world["reviewer"]).get(TASKS, {"tab": "everything"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["tab"]


def test_lists_are_paged(service_world: Any) -> None:
    applicant = service_world["applicant"]
    for _ in range(3):
        services.draft_create(actor=applicant, service_code="food-shop-permit")
    citizen = api(applicant)

    page = citizen.get(APPLICATIONS, {"limit": 2, "offset": 1}).json()
    too_many = citizen.get(APPLICATIONS, {"limit": 500})

    assert (len(page["items"]), page["count"]) == (2, 3)
    assert too_many.status_code == 400
    assert list(too_many.json()["fields"]) == ["limit"]


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_lists_cost_the_same_queries_however_long_they_are(service_world: Any) -> None:
    applicant = service_world["applicant"]
    citizen, officer = api(applicant), api(service_world["reviewer"])
    submitted_food_shop(applicant)
    one = (queries_for(citizen, APPLICATIONS), queries_for(officer, f"{TASKS}?tab=all"))
    for _ in range(3):
        submitted_food_shop(applicant)

    assert (queries_for(citizen, APPLICATIONS), queries_for(officer, f"{TASKS}?tab=all")) == one


# --- the OpenAPI document -----------------------------------------------------------------------------


def test_the_openapi_document_lists_every_endpoint(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        if path.startswith(("/api/v1/applications/", "/api/v1/tasks/"))
        for method in item
    }
    assert operations == {
        ("GET", "/api/v1/applications/"),
        ("POST", "/api/v1/applications/"),
        ("GET", "/api/v1/applications/{key}"),
        ("PATCH", "/api/v1/applications/{key}"),
        ("DELETE", "/api/v1/applications/{key}"),
        ("POST", "/api/v1/applications/{key}/documents"),
        ("GET", "/api/v1/applications/{key}/documents/{document_id}"),
        ("POST", "/api/v1/applications/{key}/submit"),
        ("POST", "/api/v1/applications/{key}/actions"),
        ("POST", "/api/v1/applications/{key}/withdraw"),
        ("GET", "/api/v1/tasks/"),
        ("GET", "/api/v1/tasks/{reference}"),
        ("POST", "/api/v1/tasks/{reference}/claim"),
        ("POST", "/api/v1/tasks/{reference}/release"),
        ("POST", "/api/v1/tasks/{reference}/complete"),
    }
    submit_parameters = schema["paths"]["/api/v1/applications/{key}/submit"]["post"]["parameters"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= submit_parameters[1].items()
    upload_body = schema["paths"]["/api/v1/applications/{key}/documents"]["post"]["requestBody"]
    assert list(upload_body["content"]) == ["multipart/form-data"]
