"""What the applicant is told, and on which channels: received on submission, sent back for a correction,
and the decision, whichever way the case reaches it (an officer, a payment, an escalation). The demo
people have their e-mail and phone confirmed (seed_demo); person 2 reads Thai, person 3 English. SMS go
to the demo SMS gateway running as its own process (the `sms_gateway` fixture)."""

import datetime
from typing import Any

import pytest
import yaml
from django.core import mail

from pracha.accounts.public import Business
from pracha.applications import services
from pracha.applications.models import Application, ApplicationEvent
from pracha.applications.tests.helpers import (
    FOOD_SHOP_ANSWERS,
    act,
    food_shop_draft,
    pay_fee_at_counter,
    submitted_food_shop,
)
from pracha.applications.tests.test_services import COMMERCIAL_ANSWERS
from pracha.applications.tests.test_uploads import make_pdf, make_png
from pracha.catalogue.management.commands.load_services import DEFINITIONS_DIR
from pracha.catalogue.services import definition_save
from pracha.core.errors import Conflict, InvalidInput, PermissionDenied
from pracha.notifications.public import Message
from pracha.payments.public import selectors as payment_selectors
from simulators.running import RunningSmsGateway

FOOD_SHOP_TH = "ขอใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร"


@pytest.fixture(autouse=True)
def sms_on(settings: Any, sms_gateway: RunningSmsGateway) -> RunningSmsGateway:
    """SMS on, through the default adapter (HttpSmsGateway) to the demo gateway. Its delivery receipts
    go to PRACHA_SITE_URL (http://testserver), where nothing listens: the SMS stay "sent", never
    "delivered", which is all these tests need."""
    settings.PRACHA_SMS_GATEWAY_URL = sms_gateway.url
    return sms_gateway


def sent(kind: str) -> list[tuple[str, int, str, str, str, str, str]]:
    """(channel, recipient, language, address, link, agency, dedupe key) of every message of a kind."""
    return list(
        Message.objects.filter(kind=kind)
        .order_by("dedupe_key", "channel")
        .values_list("channel", "recipient_id", "language", "address", "link", "agency_code", "dedupe_key")
    )


def event_of(application: Application, action: str) -> ApplicationEvent:
    return application.events.filter(action=action).latest("id")


def on_every_channel(
    user: Any, key: str, *, link: str, agency: str, language: str = "th"
) -> list[tuple[str, int, str, str, str, str, str]]:
    number = f"{user.phone[1:]}"
    return [
        ("email", user.pk, language, user.email, link, agency, key),
        ("inapp", user.pk, language, "", link, agency, key),
        ("sms", user.pk, language, f"+66{number}", link, agency, key),
    ]


def test_submitting_tells_the_applicant_on_every_channel_in_their_language(service_world: Any) -> None:
    applicant = service_world["applicant"]
    application = submitted_food_shop(applicant)
    reference = str(application.reference)
    key = f"application_received:{reference}:{event_of(application, 'submit').pk}"
    assert sent("application_received") == on_every_channel(
        applicant, key, link=f"/applications/{reference}/", agency="bma-bang-rak"
    )
    for message in Message.objects.filter(kind="application_received"):
        assert reference in message.body
        assert applicant.national_id not in message.body
    inapp = Message.objects.get(kind="application_received", channel="inapp")
    assert FOOD_SHOP_TH in inapp.body
    assert (inapp.status, inapp.read_at) == ("delivered", None)
    assert set(Message.objects.exclude(channel="inapp").values_list("status", flat=True)) == {"queued"}
    # The same submission again (a double click) tells nobody twice.
    services.application_submit(
        actor=applicant, application=application, idempotency_key=f"key-{application.public_id}"
    )
    assert Message.objects.count() == 3


def test_the_messages_go_out_only_once_the_submission_commits(
    service_world: Any, sms_on: RunningSmsGateway, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = service_world["applicant"]
    draft = food_shop_draft(applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application = services.application_submit(actor=applicant, application=draft, idempotency_key="k")
    reference = str(application.reference)
    assert (mail.outbox, sms_on.messages()) == ([], [])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    [email] = mail.outbox
    assert email.to == [applicant.email]
    assert reference in str(email.subject)
    assert f"http://testserver/applications/{reference}/" in email.body
    # The send is synchronous: the gateway has the SMS by the time the commit's work is done.
    sms = Message.objects.get(kind="application_received", channel="sms")
    assert [
        (text["to"], text["sender"], text["reference"], text["encoding"], text["text"])
        for text in sms_on.messages()
    ] == [(f"+66{applicant.phone[1:]}", "PRACHA", str(sms.public_id), "UCS-2", sms.body)]
    assert sms.language == "th"
    assert sms.body.startswith(f"ได้รับคำขอ {reference} แล้ว")
    assert set(Message.objects.values_list("channel", "status")) == {
        ("inapp", "delivered"), ("email", "sent"), ("sms", "sent"),
    }  # fmt: skip


def test_a_person_who_reads_english_is_told_in_english(service_world: Any) -> None:
    malee = service_world["other_citizen"]
    application = submitted_food_shop(malee)
    languages = set(Message.objects.filter(recipient=malee).values_list("language", flat=True))
    assert languages == {"en"}
    inapp = Message.objects.get(recipient=malee, channel="inapp")
    assert "Food-shop permit" in inapp.body
    assert str(application.reference) in inapp.subject


def test_for_a_business_the_person_who_submitted_is_told(service_world: Any) -> None:
    applicant = service_world["applicant"]
    business = Business.objects.get(name_en="Kuay Teow Test Limited Partnership")
    draft = services.draft_create(actor=applicant, service_code="food-shop-permit", on_behalf_of=business)
    services.draft_answers_save(actor=applicant, application=draft, answers=FOOD_SHOP_ANSWERS, complete=True)
    services.document_upload(
        actor=applicant, application=draft, requirement="floor-plan", data=make_pdf(1), filename="p.pdf"
    )
    services.document_upload(
        actor=applicant, application=draft, requirement="shop-photo", data=make_png(), filename="s.png"
    )
    application = services.application_submit(actor=applicant, application=draft, idempotency_key="b")
    assert set(
        Message.objects.filter(dedupe_key__contains=str(application.reference)).values_list(
            "recipient_id", flat=True
        )
    ) == {applicant.pk}


def test_each_send_back_tells_the_applicant_again(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    application = act(reviewer, application, "send_back", fields=["shop_area_sqm"], note="พื้นที่ไม่ตรง")
    first = event_of(application, "send_back")
    application = act(applicant, application, "resubmit")
    assert Message.objects.filter(kind="application_received").count() == 3  # a resubmission is not news
    application = act(
        reviewer, application, "request_document", requested_document="shop-photo", note="รูปไม่ชัด"
    )
    second = event_of(application, "request_document")
    reference = application.reference
    link = f"/applications/{reference}/"
    assert sent("application_sent_back") == sorted(
        [
            *on_every_channel(
                applicant, f"application_sent_back:{reference}:{first.pk}", link=link, agency="bma-bang-rak"
            ),
            *on_every_channel(
                applicant, f"application_sent_back:{reference}:{second.pk}", link=link, agency="bma-bang-rak"
            ),
        ],
        key=lambda row: (row[6], row[0]),
    )
    # The officer's note is on the case page, not in a message that may be read on a shared phone.
    assert not Message.objects.filter(body__contains="พื้นที่ไม่ตรง").exists()


@pytest.mark.parametrize("who", ["other_citizen", "officer_other_agency", "officer_without", "applicant"])
def test_a_refused_action_tells_nobody(service_world: Any, who: str) -> None:
    application = submitted_food_shop(service_world["applicant"])
    before = Message.objects.count()
    with pytest.raises(PermissionDenied):
        act(service_world[who], application, "send_back", fields=["shop_area_sqm"], note="x")
    with pytest.raises(InvalidInput):
        act(service_world["reviewer"], application, "send_back", note="x")  # nothing marked
    with pytest.raises(Conflict):
        act(service_world["reviewer"], application, "approve_for_payment")
    with pytest.raises(InvalidInput):
        act(service_world["reviewer"], application, "reject", reason=" ")
    assert Message.objects.count() == before


def test_a_refusal_is_a_decision_the_applicant_is_told(service_world: Any) -> None:
    applicant = service_world["applicant"]
    application = act(
        service_world["reviewer"], submitted_food_shop(applicant), "reject", reason="ร้านอยู่นอกเขต"
    )
    reference = application.reference
    # Closed: no agency holds it any more, the one that handled it is named.
    assert sent("application_rejected") == on_every_channel(
        applicant,
        f"application_rejected:{reference}:{event_of(application, 'reject').pk}",
        link=f"/applications/{reference}/",
        agency="bma-bang-rak",
    )
    assert not Message.objects.filter(kind="application_approved").exists()


def test_withdrawing_tells_nobody(service_world: Any) -> None:
    applicant = service_world["applicant"]
    services.application_withdraw(actor=applicant, application=submitted_food_shop(applicant))
    assert set(Message.objects.values_list("kind", flat=True)) == {"application_received"}


def test_approval_after_payment_tells_the_applicant_once(service_world: Any) -> None:
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    application = pay_fee_at_counter(reviewer, application)
    assert not Message.objects.filter(kind__in=["application_approved", "application_rejected"]).exists()
    application = act(reviewer, application, "issue")
    reference = application.reference
    assert application.state == "approved"
    assert sent("application_approved") == on_every_channel(
        applicant,
        f"application_approved:{reference}:{event_of(application, 'issue').pk}",
        link=f"/applications/{reference}/",
        agency="bma-bang-rak",
    )


def test_a_case_approved_by_its_payment_is_told_once_however_often_the_payment_is_announced(
    service_world: Any,
) -> None:
    data = yaml.safe_load((DEFINITIONS_DIR / "food-shop-permit.yaml").read_text())
    states = data["workflow"]["states"]
    states["awaiting_payment"]["actions"][0]["to"] = "approved"
    del states["issue"]
    definition_save(actor=None, data=data, publish=True)
    applicant, reviewer = service_world["applicant"], service_world["reviewer"]
    application = submitted_food_shop(applicant)
    for action in ("accept", "pass", "approve_for_payment"):
        application = act(reviewer, application, action)
    application = pay_fee_at_counter(reviewer, application)
    assert (application.state, application.holder) == ("approved", "done")
    reference = application.reference
    key = f"application_approved:{reference}:{event_of(application, 'paid').pk}"
    assert sent("application_approved") == on_every_channel(
        applicant, key, link=f"/applications/{reference}/", agency="bma-bang-rak"
    )
    [settled] = payment_selectors.settlements_for(references=[str(reference)])
    services.payment_settle(event=settled)
    assert services.settle_paid_applications() == 0
    assert Message.objects.filter(kind="application_approved").count() == 3


def test_a_case_deemed_approved_by_escalation_is_told(service_world: Any) -> None:
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
    application = pay_fee_at_counter(registrar, application)
    assert application.state == "register" and application.state_due_date is not None
    late = application.state_due_date + datetime.timedelta(days=1)
    assert services.escalate_overdue(today=late) == 1
    assert services.escalate_overdue(today=late) == 0
    application.refresh_from_db()
    reference = application.reference
    assert sent("application_approved") == on_every_channel(
        applicant,
        f"application_approved:{reference}:{event_of(application, 'escalate').pk}",
        link=f"/applications/{reference}/",
        agency="dbd",
    )


def test_an_escalation_to_another_role_is_not_news_for_the_applicant(service_world: Any) -> None:
    application = act(service_world["reviewer"], submitted_food_shop(service_world["applicant"]), "accept")
    assert application.state_due_date is not None
    assert services.escalate_overdue(today=application.state_due_date + datetime.timedelta(days=1)) == 1
    assert set(Message.objects.values_list("kind", flat=True)) == {"application_received"}
