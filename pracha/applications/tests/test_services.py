"""The applications services against the workflow rules and the authorization matrix: an action is
taken only by whom the service's workflow names, and a refused one changes nothing and audits nothing."""

import datetime
from typing import Any

import pytest
import yaml

from pracha.accounts.public import Business
from pracha.accounts.selectors import lookups_of
from pracha.agencies.public import Agency, Membership, Role
from pracha.applications import services
from pracha.applications.models import (
    Application,
    ApplicationEvent,
    FeePayment,
    Holder,
    Outcome,
)
from pracha.applications.selectors import queue
from pracha.applications.tests.helpers import (
    FOOD_SHOP_ANSWERS,
    act,
    fee_bill,
    food_shop_draft,
    pay_fee_at_counter,
    submitted_food_shop,
)
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.audit.public import AuditEntry
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.catalogue.services import definition_save
from pracha.core import events
from pracha.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pracha.core.storage import private_storage
from pracha.core.thai_dates import buddhist_year
from pracha.core.working_days import due_date, local_today
from pracha.payments.public import Bill, Receipt
from pracha.payments.public import selectors as payment_selectors
from pracha.payments.public import services as payment_services

OUTSIDERS = ["other_citizen", "officer_other_agency", "officer_without"]


def fee_bills() -> Any:
    return Bill.objects.filter(kind="application_fee")


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def snapshot(application: Application) -> tuple[Any, ...]:
    application.refresh_from_db()
    return (application.state, application.holder, application.assigned_to_id, application.answers,
            application.corrections, application.events.count())  # fmt: skip


@pytest.fixture
def pay() -> Any:
    """Pay the fee in cash against the case's bill and run what happens after the commit."""
    return pay_fee_at_counter


# --- drafts and submission -----------------------------------------------------------------------------


def test_a_service_needing_a_verified_identity_refuses_an_unverified_person(service_world: Any) -> None:
    unverified = service_world["applicant"]
    unverified.assurance_level = "self_asserted"
    unverified.save(update_fields=["assurance_level"])
    with pytest.raises(PermissionDenied) as refused:
        services.draft_create(actor=unverified, service_code="house-registration-copy")
    assert str(refused.value) == (
        "This service needs a verified identity. Verify your identity in “My account” first."
    )
    assert not Application.objects.exists()
    assert audit_count("applications.draft_create") == 0


def test_an_unknown_or_unpublished_service_is_not_found(service_world: Any) -> None:
    with pytest.raises(NotFound):
        services.draft_create(actor=service_world["applicant"], service_code="no-such-service")


def test_saving_for_later_keeps_valid_answers_and_allows_missing_required_ones(service_world: Any) -> None:
    applicant = service_world["applicant"]
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit")
    services.draft_answers_save(actor=applicant, application=draft, answers={"shop_name": "ร้านทดสอบ"})
    draft.refresh_from_db()
    assert draft.answers == {"shop_name": "ร้านทดสอบ"}
    assert audit_count("applications.answers_save") == 1


def test_a_wrong_value_is_a_field_error_and_saves_nothing(service_world: Any) -> None:
    applicant = service_world["applicant"]
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit")
    with pytest.raises(InvalidInput) as refused:
        services.draft_answers_save(
            actor=applicant, application=draft, answers={"shop_name": "ร้าน", "shop_area_sqm": 0}
        )
    assert list(refused.value.fields) == ["shop_area_sqm"]
    draft.refresh_from_db()
    assert draft.answers == {}
    assert audit_count("applications.answers_save") == 0


def test_submission_assigns_a_reference_routes_to_the_district_and_stamps_the_legal_due_date(
    service_world: Any,
) -> None:
    application = submitted_food_shop(service_world["applicant"], district="bang-rak")
    year = buddhist_year(local_today())
    assert application.reference == f"APP-{year}-000001"
    assert (application.state, application.holder) == ("document_check", Holder.AGENCY)
    assert application.handling_agency is not None and application.holding_agency is not None
    assert application.handling_agency.code == application.holding_agency.code == "bma-bang-rak"
    assert application.due_date == due_date(local_today(), 30)
    assert application.state_due_date == due_date(local_today(), 3)
    assert application.acting_roles == ",approver,reviewer,"
    assert list(application.events.values_list("action", "from_state", "to_state")) == [
        ("submit", "draft", "document_check")
    ]


def test_submission_is_idempotent_for_the_same_key(service_world: Any) -> None:
    applicant = service_world["applicant"]
    draft = food_shop_draft(applicant)
    first = services.application_submit(actor=applicant, application=draft, idempotency_key="click-1")
    again = services.application_submit(actor=applicant, application=draft, idempotency_key="click-1")
    assert again.reference == first.reference
    assert Application.objects.exclude(reference=None).count() == 1
    assert audit_count("applications.submit") == 1
    with pytest.raises(Conflict):
        services.application_submit(actor=applicant, application=draft, idempotency_key="another")
    assert audit_count("applications.submit") == 1


def test_submission_names_every_missing_answer_and_document(service_world: Any) -> None:
    applicant = service_world["applicant"]
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit")
    services.draft_answers_save(actor=applicant, application=draft, answers={"shop_name": "ร้าน"})
    with pytest.raises(InvalidInput) as refused:
        services.application_submit(actor=applicant, application=draft, idempotency_key="k")
    assert sorted(refused.value.fields) == [
        "district", "document-floor-plan", "document-shop-photo", "shop_address", "shop_area_sqm",
    ]  # fmt: skip
    draft.refresh_from_db()
    assert (draft.reference, draft.holder) == (None, Holder.DRAFT)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_the_applicant_touches_a_draft(service_world: Any, who: str) -> None:
    draft = food_shop_draft(service_world["applicant"])
    before = snapshot(draft)
    audits = AuditEntry.objects.count()
    actor = service_world[who]
    with pytest.raises(PermissionDenied):
        services.draft_answers_save(actor=actor, application=draft, answers={"shop_name": "x"})
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=actor, application=draft, requirement="floor-plan", data=make_pdf(1), filename="a.pdf"
        )
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=actor, application=draft, idempotency_key="k")
    with pytest.raises(PermissionDenied):
        services.draft_delete(actor=actor, application=draft)
    assert snapshot(draft) == before
    assert AuditEntry.objects.count() == audits


def test_deleting_a_draft_removes_it_and_its_files(
    service_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = service_world["applicant"]
    draft = food_shop_draft(applicant)
    stored = list(draft.documents.values_list("stored_name", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.draft_delete(actor=applicant, application=draft)
    assert not Application.objects.exists()
    assert [private_storage().exists(name) for name in stored] == [False, False]
    assert audit_count("applications.draft_delete") == 1


def test_a_submitted_application_cannot_be_deleted(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    with pytest.raises(Conflict):
        services.draft_delete(actor=service_world["applicant"], application=application)


# --- the workflow against the authorization matrix -------------------------------------------------------

JOURNEY = [("document_check", "accept"), ("site_inspection", "pass"), ("approval", "approve_for_payment")]


@pytest.mark.parametrize(("state", "action"), JOURNEY)
@pytest.mark.parametrize("who", [*OUTSIDERS, "applicant"])
def test_only_the_named_role_takes_each_action(service_world: Any, state: str, action: str, who: str) -> None:
    application = submitted_food_shop(service_world["applicant"])
    for _state, earlier in JOURNEY[: [a for _s, a in JOURNEY].index(action)]:
        application = act(service_world["reviewer"], application, earlier)
    assert application.state == state
    before, audits = snapshot(application), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        act(service_world[who], application, action)
    assert snapshot(application) == before
    assert AuditEntry.objects.count() == audits
    moved = act(service_world["reviewer"], application, action)
    assert moved.state != state
    assert audit_count("applications.act") == JOURNEY.index((state, action)) + 1


def test_an_action_the_state_does_not_have_is_a_conflict(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    with pytest.raises(Conflict):
        act(service_world["reviewer"], application, "approve_for_payment")
    assert audit_count("applications.act") == 0


def test_refusing_needs_a_reason_shown_to_the_applicant(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    with pytest.raises(InvalidInput) as refused:
        act(service_world["reviewer"], application, "reject", reason="  ")
    assert refused.value.fields == {"reason": ["Give the reason for refusing."]}
    application = act(service_world["reviewer"], application, "reject", reason="ร้านอยู่นอกเขต")
    assert (application.state, application.holder) == ("rejected", Holder.DONE)
    assert list(application.events.values_list("note", flat=True))[-1] == "ร้านอยู่นอกเขต"
    assert not Outcome.objects.exists()


def test_send_back_marks_fields_and_only_those_can_be_corrected(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    with pytest.raises(InvalidInput) as refused:
        act(reviewer, application, "send_back", note="แก้ไข")
    assert refused.value.fields == {
        "fields": ["Mark at least one field or document for the applicant to correct."]
    }
    application = act(
        reviewer,
        application,
        "send_back",
        fields=["shop_area_sqm"],
        documents=["floor-plan"],
        note="พื้นที่ไม่ตรง",
    )
    assert (application.state, application.holder, application.holding_agency) == (
        "correction",
        "applicant",
        None,
    )
    assert application.corrections == {
        "fields": ["shop_area_sqm"],
        "documents": ["floor-plan"],
        "note": "พื้นที่ไม่ตรง",
    }
    with pytest.raises(InvalidInput) as refused:
        services.draft_answers_save(actor=applicant, application=application, answers={"shop_name": "ชื่อใหม่"})
    assert refused.value.fields == {
        "shop_name": ["Only the fields the agency asked you to correct can be changed."]
    }
    with pytest.raises(InvalidInput):
        services.document_upload(
            actor=applicant,
            application=application,
            requirement="shop-photo",
            data=make_pdf(1),
            filename="x.pdf",
        )
    services.draft_answers_save(actor=applicant, application=application, answers={"shop_area_sqm": 120})
    services.document_upload(
        actor=applicant,
        application=application,
        requirement="floor-plan",
        data=make_pdf(3),
        filename="new.pdf",
    )
    application = act(applicant, application, "resubmit")
    assert (application.state, application.corrections, application.answers["shop_area_sqm"]) == (
        "document_check", {}, 120,
    )  # fmt: skip
    # The replaced floor plan is kept, but only the new one counts.
    assert list(application.documents.filter(requirement="floor-plan").values_list("pages", "replaced")) == [
        (2, True), (3, False),
    ]  # fmt: skip


def test_withdrawing_before_a_decision_and_not_after(service_world: Any) -> None:
    applicant = service_world["applicant"]
    application = services.application_withdraw(
        actor=applicant, application=submitted_food_shop(applicant), reason="เปลี่ยนใจ"
    )
    assert (application.state, application.holder, application.holding_agency) == ("withdrawn", "done", None)
    with pytest.raises(Conflict):
        services.application_withdraw(actor=applicant, application=application)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(
            actor=service_world["other_citizen"], application=submitted_food_shop(applicant)
        )
    assert audit_count("applications.withdraw") == 1


def test_the_whole_food_shop_journey_ends_with_a_licence(service_world: Any, pay: Any) -> None:
    reviewer = service_world["reviewer"]
    application = submitted_food_shop(service_world["applicant"], shop_area_sqm=120)
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    assert (application.state, application.holder, application.fee_total_satang) == (
        "awaiting_payment", Holder.PAYMENT, 10000 + 100000,
    )  # fmt: skip
    assert [line["amount_satang"] for line in application.fee_lines] == [10000, 100000]
    application = pay(reviewer, application)
    assert application.state == "issue"
    application = act(reviewer, application, "issue")
    outcome = application.outcome
    today = local_today()
    assert outcome.number == f"FSP-{buddhist_year(today)}-000001"
    assert (outcome.holder, outcome.agency.code, outcome.valid_from) == (
        service_world["applicant"], "bma-bang-rak", today,
    )  # fmt: skip
    assert outcome.valid_until == today + datetime.timedelta(days=365)
    assert [event.action for event in application.events.all()] == [
        "submit", "accept", "pass", "approve_for_payment", "paid", "issue",
    ]  # fmt: skip


# --- fees ---------------------------------------------------------------------------------------------


def at_payment(service_world: Any) -> Application:
    application = submitted_food_shop(service_world["applicant"])
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(service_world["reviewer"], application, action)
    return application


def test_fee_due_is_announced_with_its_lines(
    service_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[events.FeeDue] = []
    events.subscribe(events.FeeDue)(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            application = at_payment(service_world)
    finally:
        events._handlers[events.FeeDue].remove(seen.append)
    assert seen == [
        events.FeeDue(
            payable_reference=str(application.reference),
            agency_code="bma-bang-rak",
            payer_public_id=str(service_world["applicant"].public_id),
            lines=(
                events.FeeLine("application-fee", "ค่าธรรมเนียมคำขอ", "Application fee", 10000),
                events.FeeLine(
                    "permit-fee",
                    "ค่าธรรมเนียมใบอนุญาต (ตามขนาดพื้นที่ร้าน)",
                    "Permit fee (by the size of the shop)",
                    20000,
                ),
            ),
            total_satang=30000,
        )
    ]


def test_the_fee_due_becomes_a_bill_for_the_applicant(
    service_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = at_payment(service_world)
    bill = fee_bills().get()
    assert (bill.kind, bill.subject_reference, bill.agency.code, bill.payer_user, bill.amount_satang) == (
        "application_fee", application.reference, "bma-bang-rak", service_world["applicant"], 30000,
    )  # fmt: skip
    assert [(line["code"], line["amount_satang"]) for line in bill.lines] == [
        ("application-fee", 10000),
        ("permit-fee", 20000),
    ]


@pytest.mark.parametrize("who", ["applicant", "officer_other_agency", "officer_without"])
def test_only_a_cashier_of_the_agency_takes_the_fee_in_cash(service_world: Any, who: str) -> None:
    application = at_payment(service_world)
    bill = fee_bill(application)
    with pytest.raises(PermissionDenied):
        payment_services.bill_cash_record(actor=service_world[who], bill=bill, amount_satang=30000)
    application.refresh_from_db()
    bill.refresh_from_db()
    assert (application.state, bill.state) == ("awaiting_payment", "created")
    assert not FeePayment.objects.exists()
    assert audit_count("payments.bill_pay") == 0
    assert audit_count("applications.payment_settle") == 0


def test_a_cash_payment_moves_the_case_on_with_its_receipt(service_world: Any, pay: Any) -> None:
    application = pay(service_world["reviewer"], at_payment(service_world))
    receipt = Receipt.objects.get()
    assert application.state == "issue"
    assert receipt.number == f"RC-BMA-BANG-RAK-{buddhist_year(local_today())}-000001"
    assert list(
        FeePayment.objects.values_list("payment_id", "amount_satang", "channel", "receipt_number")
    ) == [(str(receipt.payment.public_id), 30000, "counter", receipt.number)]
    assert list(application.events.filter(action="paid").values_list("note", flat=True)) == [receipt.number]


def test_the_same_payment_announced_twice_is_applied_once(service_world: Any, pay: Any) -> None:
    application = pay(service_world["reviewer"], at_payment(service_world))
    [settled] = payment_selectors.settlements_for(references=[str(application.reference)])
    services.payment_settle(event=settled)
    application.refresh_from_db()
    assert FeePayment.objects.count() == 1
    assert application.state == "issue"
    assert list(application.events.filter(action="paid").values_list("note", flat=True)) == [
        settled.receipt_number
    ]


def test_a_partial_online_payment_leaves_the_application_waiting(service_world: Any) -> None:
    application = at_payment(service_world)
    services.payment_settle(
        event=events.PaymentSettled(
            payable_reference=str(application.reference),
            payment_id="promptpay:1",
            amount_satang=10000,
            channel="promptpay",
        )
    )
    application.refresh_from_db()
    assert application.state == "awaiting_payment"
    assert AuditEntry.objects.get(action="applications.payment_settle").payload["moved"] is False


# --- claiming -----------------------------------------------------------------------------------------


def test_a_case_is_claimed_once(service_world: Any, people: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    reviewer = service_world["reviewer"]
    second = people["officer_with"]
    membership = Membership.objects.create(user=second, agency=Agency.objects.get(code="bma-bang-rak"))
    membership.roles.add(Role.objects.get(code="reviewer"))
    services.case_claim(actor=reviewer, application=application)
    with pytest.raises(Conflict) as lost:
        services.case_claim(actor=second, application=application)
    assert str(lost.value) == "Another officer has just taken this case."
    application.refresh_from_db()
    assert application.assigned_to == reviewer
    assert audit_count("applications.claim") == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_claim(service_world: Any, who: str) -> None:
    application = submitted_food_shop(service_world["applicant"])
    with pytest.raises(PermissionDenied):
        services.case_claim(actor=service_world[who], application=application)
    application.refresh_from_db()
    assert application.assigned_to is None


# --- escalation ---------------------------------------------------------------------------------------


def test_an_overdue_inspection_escalates_to_the_approver_role(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    application = act(service_world["reviewer"], application, "accept")
    assert application.state_due_date is not None
    late = application.state_due_date + datetime.timedelta(days=1)
    assert services.escalate_overdue(today=late) == 1
    assert services.escalate_overdue(today=late) == 0  # once only
    application.refresh_from_db()
    assert (application.state, application.escalated_role) == ("site_inspection", "approver")
    assert list(application.events.values_list("action", flat=True))[-1] == "escalate"
    assert AuditEntry.objects.get(action="applications.escalate").payload == {
        "state": "site_inspection", "rule": "role", "to": "site_inspection",
    }  # fmt: skip


def test_an_overdue_registration_is_deemed_approved(service_world: Any, pay: Any) -> None:
    applicant, registrar = service_world["applicant"], service_world["officer_other_agency"]
    draft = services.draft_create(actor=applicant, service_code="commercial-registration")
    definition = yaml.safe_load((DEFINITIONS_DIR / "commercial-registration.yaml").read_text())
    answers = {
        name: value
        for name, value in COMMERCIAL_ANSWERS.items()
        if name in definition["form"]["schema"]["properties"]
    }
    services.draft_answers_save(actor=applicant, application=draft, answers=answers, complete=True)
    services.document_upload(
        actor=applicant, application=draft, requirement="location-map", data=make_pdf(1), filename="m.pdf"
    )
    application = services.application_submit(actor=applicant, application=draft, idempotency_key="k")
    application = act(registrar, application, "accept")
    application = pay(registrar, application)
    assert application.state == "register"
    services.escalate_overdue(today=application.state_due_date + datetime.timedelta(days=1))
    application.refresh_from_db()
    assert (application.state, application.outcome.number[:2]) == ("registered", "CR")


COMMERCIAL_ANSWERS = {
    "business_name_th": "ร้านข้าวแกงทดสอบ",
    "business_type": "restaurant",
    "business_address": "99 ถนนสีลม",
    "capital_baht": 50000,
    "start_date": "2026-12-01",
}


# --- a second party, renewals and versions ------------------------------------------------------------


def change_of_address(service_world: Any, owner_id: str) -> Application:
    applicant = service_world["applicant"]
    draft = services.draft_create(actor=applicant, service_code="change-of-address")
    services.draft_answers_save(
        actor=applicant,
        application=draft,
        answers={
            "new_house_number": "12/3",
            "new_address": "ถนนพระราม 4 แขวงสีลม",
            "moving_date": "2026-12-15",
            "owner_national_id": owner_id,
        },
        complete=True,
    )
    return services.application_submit(actor=applicant, application=draft, idempotency_key="k")


def test_the_house_owner_consents_before_the_registrar_sees_the_case(service_world: Any) -> None:
    owner = service_world["house_owner"]
    application = change_of_address(service_world, owner.national_id)
    assert (application.state, application.holder, application.consenter) == (
        "owner_consent",
        "consenter",
        owner,
    )
    for who in ("applicant", "other_citizen", "registrar"):
        with pytest.raises(PermissionDenied):
            act(service_world[who], application, "consent")
    application = act(owner, application, "consent", note="ยินยอม")
    assert application.holding_agency is not None
    assert (application.state, application.holding_agency.code) == ("registrar_review", "dopa")


def test_a_consenter_without_an_account_is_a_field_error(service_world: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        change_of_address(service_world, "1999900000161")  # in the register, never signed up
    assert refused.value.fields == {
        "owner_national_id": [
            "Nobody with this national ID number has an account. Ask them to sign up first."
        ]
    }


def test_a_renewal_is_prefilled_from_the_licence(service_world: Any, pay: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    application = act(reviewer, pay(reviewer, application), "issue")
    renewal = services.draft_create(
        actor=applicant, service_code="food-shop-permit-renewal", renewal_of=application.outcome
    )
    assert renewal.answers == FOOD_SHOP_ANSWERS
    with pytest.raises(InvalidInput):
        services.draft_create(
            actor=service_world["other_citizen"],
            service_code="food-shop-permit-renewal",
            renewal_of=application.outcome,
        )


def test_an_application_stays_on_the_version_it_was_started_under(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    data = yaml.safe_load((DEFINITIONS_DIR / "food-shop-permit.yaml").read_text())
    data["time_limit_days"] = 45
    version = definition_save(actor=None, data=data, publish=True)
    assert version.number == 2
    application.refresh_from_db()
    assert application.service_version.number == 1
    assert act(service_world["reviewer"], application, "accept").state == "site_inspection"
    newer = food_shop_draft(service_world["applicant"])
    assert newer.service_version == version


def test_messages_and_internal_notes(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    services.message_post(actor=applicant, application=application, body="สอบถามครับ")
    services.message_post(actor=reviewer, application=application, body="ตรวจแล้ว", internal=True)
    with pytest.raises(PermissionDenied):
        services.message_post(actor=applicant, application=application, body="x", internal=True)
    with pytest.raises(PermissionDenied):
        services.message_post(actor=service_world["other_citizen"], application=application, body="x")
    with pytest.raises(InvalidInput):
        services.message_post(actor=applicant, application=application, body="   ")
    assert list(application.messages.values_list("party", "internal")) == [
        ("applicant", False),
        ("officer", True),
    ]
    assert ApplicationEvent.objects.filter(action="message").count() == 0


def test_nobody_applies_for_a_business_they_do_not_act_for(service_world: Any) -> None:
    business = Business.objects.get(name_en="Khao Man Kai Test Co., Ltd.")  # person 1 directs it, not 2
    with pytest.raises(PermissionDenied):
        services.draft_create(
            actor=service_world["applicant"], service_code="food-shop-permit", on_behalf_of=business
        )
    assert not Application.objects.exists()


@pytest.mark.parametrize("search", ["Somying Rakthai-Test", "สมหญิง รักไทย", "1-9999-00000-02-1", "rakthai"])
def test_the_queue_finds_a_case_by_full_name_or_national_id(service_world: Any, search: str) -> None:
    application = submitted_food_shop(service_world["applicant"])
    submitted_food_shop(service_world["other_citizen"])
    assert service_world["applicant"].national_id == "1999900000021"
    assert list(queue(user=service_world["reviewer"], tab="all", search=search)) == [application]


# --- found in review: each of these was a hole ---------------------------------------------------------


def test_an_unverified_account_cannot_stand_in_for_the_house_owner(service_world: Any) -> None:
    owner = service_world["house_owner"]
    owner.assurance_level = "self_asserted"
    owner.save(update_fields=["assurance_level"])
    with pytest.raises(InvalidInput) as refused:
        change_of_address(service_world, owner.national_id)
    assert refused.value.fields == {
        "owner_national_id": [
            "This person has not verified their identity yet. Ask them to do so in “My account”."
        ]
    }


def test_a_consenter_who_is_no_longer_verified_cannot_consent(service_world: Any) -> None:
    owner = service_world["house_owner"]
    application = change_of_address(service_world, owner.national_id)
    owner.assurance_level = "self_asserted"
    owner.save(update_fields=["assurance_level"])
    with pytest.raises(PermissionDenied):
        act(owner, application, "consent")
    application.refresh_from_db()
    assert application.state == "owner_consent"


def test_correcting_the_owner_asks_the_new_owner(service_world: Any) -> None:
    owner, registrar = service_world["house_owner"], service_world["registrar"]
    application = act(owner, change_of_address(service_world, owner.national_id), "consent")
    application = act(registrar, application, "send_back", fields=["owner_national_id"], note="เจ้าบ้านไม่ถูกต้อง")
    new_owner = service_world["other_citizen"]
    application = services.application_act(
        actor=service_world["applicant"],
        application=application,
        action="resubmit",
        answers={"owner_national_id": new_owner.national_id},
    )
    assert (application.state, application.consenter) == ("owner_consent", new_owner)
    with pytest.raises(PermissionDenied):
        act(owner, application, "consent")


def test_the_fee_is_taken_once_and_lost_handlers_are_made_good(service_world: Any) -> None:
    # No on_commit handlers run here: as if the process died right after each commit.
    application = at_payment(service_world)
    assert not fee_bills().exists()
    assert services.settle_paid_applications() == 0
    bill = fee_bills().get()
    assert (bill.subject_reference, bill.amount_satang, bill.state) == (
        application.reference,
        30000,
        "created",
    )
    assert services.settle_paid_applications() == 0
    assert fee_bills().count() == 1

    cashier = service_world["reviewer"]
    receipt = payment_services.bill_cash_record(actor=cashier, bill=bill, amount_satang=30000)
    with pytest.raises(Conflict):
        payment_services.bill_cash_record(actor=cashier, bill=bill, amount_satang=30000)
    application.refresh_from_db()
    assert (application.state, FeePayment.objects.count()) == ("awaiting_payment", 0)

    assert services.settle_paid_applications() == 1
    assert services.settle_paid_applications() == 0
    application.refresh_from_db()
    assert application.state == "issue"
    assert list(FeePayment.objects.values_list("payment_id", "receipt_number")) == [
        (str(receipt.payment.public_id), receipt.number)
    ]
    assert AuditEntry.objects.get(action="applications.payment_settle").payload == {
        "payment_id": str(receipt.payment.public_id),
        "amount_satang": 30000,
        "moved": True,
        "catch_up": True,
    }
    assert fee_bills().count() == 1


def test_the_catch_up_bills_again_only_a_case_with_no_bill_and_no_payment(service_world: Any) -> None:
    application = at_payment(service_world)
    bill = fee_bill(application)
    # The bill expires unpaid (an officer cannot cancel a fee bill: the case owns it).
    assert payment_services.bills_expire(today=bill.due_date + datetime.timedelta(days=1)) == 1
    assert services.settle_paid_applications() == 0
    bills = Bill.objects.filter(subject_reference=application.reference)
    assert sorted(bills.values_list("state", "amount_satang")) == [("created", 30000), ("expired", 30000)]
    # A case that already has a payment recorded (part of the fee, here) is not billed again.
    partly = at_payment(service_world)
    services.payment_settle(
        event=events.PaymentSettled(
            payable_reference=str(partly.reference),
            payment_id="promptpay:1",
            amount_satang=100,
            channel="promptpay",
        )
    )
    assert services.settle_paid_applications() == 0
    assert not Bill.objects.filter(subject_reference=partly.reference).exists()


def test_only_the_officer_who_took_a_case_acts_on_it(service_world: Any, people: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    second = people["officer_with"]
    membership = Membership.objects.create(user=second, agency=Agency.objects.get(code="bma-bang-rak"))
    membership.roles.add(Role.objects.get(code="reviewer"))
    services.case_claim(actor=service_world["reviewer"], application=application)
    with pytest.raises(Conflict):
        act(second, application, "accept")
    application.refresh_from_db()
    assert application.state == "document_check"
    assert act(service_world["reviewer"], application, "accept").state == "site_inspection"


def test_opening_a_case_is_shown_to_the_applicant(service_world: Any) -> None:
    application = submitted_food_shop(service_world["applicant"])
    services.case_view_record(actor=service_world["reviewer"], application=application)
    [lookup] = lookups_of(user=service_world["applicant"])
    assert (lookup.officer, lookup.agency.code if lookup.agency else None) == (
        service_world["reviewer"].full_name, "bma-bang-rak",
    )  # fmt: skip


def test_an_officer_applying_to_their_own_agency_is_only_an_applicant(service_world: Any) -> None:
    officer = service_world["reviewer"]
    application = submitted_food_shop(officer)
    assert not queue(user=officer, tab="all").filter(pk=application.pk).exists()
    with pytest.raises(PermissionDenied):
        services.message_post(actor=officer, application=application, body="บันทึกภายใน", internal=True)
    with pytest.raises(PermissionDenied):
        act(officer, application, "accept")


def issued_permit(service_world: Any, pay: Any) -> Outcome:
    reviewer = service_world["reviewer"]
    application = submitted_food_shop(service_world["applicant"])
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    application = act(reviewer, pay(reviewer, application), "issue")
    return application.outcome


def test_a_licence_is_renewed_once_and_the_renewal_follows_on(service_world: Any, pay: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    permit = issued_permit(service_world, pay)
    renewal = services.draft_create(
        actor=applicant, service_code="food-shop-permit-renewal", renewal_of=permit
    )
    services.draft_answers_save(actor=applicant, application=renewal, answers={}, complete=True)
    services.document_upload(
        actor=applicant, application=renewal, requirement="shop-photo", data=make_png(), filename="shop.png"
    )
    renewal = services.application_submit(actor=applicant, application=renewal, idempotency_key="renew")
    with pytest.raises(Conflict):
        services.draft_create(actor=applicant, service_code="food-shop-permit-renewal", renewal_of=permit)
    for action in ("accept", "approve_for_payment"):
        renewal = act(reviewer, renewal, action)
    renewal = act(reviewer, pay(reviewer, renewal), "issue")
    assert permit.valid_until is not None
    assert renewal.outcome.valid_from == permit.valid_until + datetime.timedelta(days=1)
