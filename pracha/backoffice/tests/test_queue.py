"""The queue page: who may see it, what each tab holds, filters, search (and its audit) and pages."""

import datetime
import json
import uuid
from typing import Any

import pytest
from django.urls import reverse

from pracha.applications import services
from pracha.applications.models import Application
from pracha.audit.public import AuditEntry
from pracha.backoffice.selectors import search_kind
from pracha.backoffice.services import SEARCH_PERSON_ACTION
from pracha.backoffice.tests.conftest import client_for, submit_food_shop
from pracha.core.working_days import due_date, local_today

QUEUE = reverse("backoffice:queue")


def references(response: Any) -> list[str]:
    return [row.application.reference for row in response.context["rows"]]


# --- who may see it -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world):
    response = client_for(world["anonymous"]).get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={QUEUE}"


@pytest.mark.parametrize("who", ["applicant", "other_citizen", "officer_without"])
def test_people_without_a_case_permission_are_refused(world, who):
    assert client_for(world[who]).get(QUEUE).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "officer_other_agency", "cashier_only"])
def test_officers_with_a_case_permission_see_the_queue(world, who):
    response = client_for(world[who]).get(QUEUE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response.context["tab"] == "unassigned"


def test_an_officer_of_another_agency_sees_none_of_bang_raks_cases(world, case):
    client = client_for(world["officer_other_agency"])
    for tab in ("unassigned", "mine", "due_soon", "overdue", "all"):
        assert references(client.get(QUEUE, {"tab": tab})) == []
    assert references(client_for(world["reviewer"]).get(QUEUE, {"tab": "all"})) == [case.reference]


# --- the tabs -----------------------------------------------------------------------------------------


@pytest.fixture
def cases(world) -> dict[str, Application]:
    """One Bang Rak case in each situation the tabs tell apart, and one in another district."""
    applicant, reviewer = world["applicant"], world["reviewer"]
    today = local_today()
    made = {
        "fresh": submit_food_shop(applicant, shop_name="Fresh"),
        "claimed": submit_food_shop(applicant, shop_name="Claimed"),
        "claimed_by_other": submit_food_shop(applicant, shop_name="Claimed by other"),
        "due_soon": submit_food_shop(applicant, shop_name="Due soon"),
        "overdue": submit_food_shop(applicant, shop_name="Overdue"),
        "paying": submit_food_shop(applicant, shop_name="Paying"),
        "chatuchak": submit_food_shop(applicant, shop_name="Elsewhere", district="chatuchak"),
    }
    services.case_claim(actor=reviewer, application=made["claimed"])
    services.case_claim(actor=world["second_reviewer"], application=made["claimed_by_other"])
    for action in ("accept", "pass", "approve_for_payment"):
        services.application_act(actor=reviewer, application=made["paying"], action=action)
    # Deadlines set directly: the SLA arithmetic has its own tests; here only the tabs are in question.
    Application.objects.filter(pk=made["due_soon"].pk).update(state_due_date=due_date(today, 1))
    Application.objects.filter(pk=made["overdue"].pk).update(
        state_due_date=today - datetime.timedelta(days=10)
    )
    return {name: Application.objects.get(pk=application.pk) for name, application in made.items()}


def tab_references(client: Any, tab: str) -> set[str]:
    response = client.get(QUEUE, {"tab": tab})
    assert response.status_code == 200
    return set(references(response))


def test_each_tab_holds_exactly_its_cases(world, cases):
    client = client_for(world["reviewer"])
    ref = {name: application.reference for name, application in cases.items()}
    assert tab_references(client, "unassigned") == {ref["fresh"], ref["due_soon"], ref["overdue"]}
    assert tab_references(client, "mine") == {ref["claimed"]}
    assert tab_references(client, "due_soon") == {ref["due_soon"]}
    assert tab_references(client, "overdue") == {ref["overdue"]}
    assert tab_references(client, "all") == {
        ref[name] for name in ("fresh", "claimed", "claimed_by_other", "due_soon", "overdue", "paying")
    }


def test_the_cashier_sees_no_case_to_act_on_but_every_case_of_the_agency(world, cases):
    client = client_for(world["cashier_only"])
    assert tab_references(client, "unassigned") == set()
    assert tab_references(client, "overdue") == set()
    assert cases["paying"].reference in tab_references(client, "all")


def test_an_unknown_tab_is_the_unassigned_tab(world, cases):
    response = client_for(world["reviewer"]).get(QUEUE, {"tab": "everything"})
    assert response.status_code == 200
    assert response.context["tab"] == "unassigned"


def test_the_table_shows_the_overdue_tag_and_the_assigned_officer(world, cases):
    response = client_for(world["reviewer"]).get(QUEUE, {"tab": "all"})
    rows = {row.application.reference: row for row in response.context["rows"]}
    overdue = rows[cases["overdue"].reference]
    assert overdue.overdue_by > 0
    assert overdue.state_name == "Document check"
    assert overdue.service_name == "Food-shop permit"
    assert rows[cases["fresh"].reference].overdue_by == 0
    assert rows[cases["paying"].reference].state_name == "Waiting for payment"
    html = response.content.decode()
    days = "day" if overdue.overdue_by == 1 else "days"
    assert f"Overdue by {overdue.overdue_by} working {days}" in html
    assert world["second_reviewer"].full_name in html
    assert cases["overdue"].state_due_date.strftime("%-d %B %Y") in html  # English dates on English pages


def test_the_queue_in_thai_shows_buddhist_era_dates(world, case):
    response = client_for(world["reviewer"], language="th").get(QUEUE)
    assert response.status_code == 200
    assert str(case.state_due_date.year + 543) in response.content.decode()


def test_escalated_cases_are_tagged(world, case):
    Application.objects.filter(pk=case.pk).update(escalated_role="approver")
    response = client_for(world["reviewer"]).get(QUEUE, {"tab": "all"})
    assert "Escalated" in response.content.decode()


# --- filters ------------------------------------------------------------------------------------------


def test_filter_by_state(world, cases):
    client = client_for(world["reviewer"])
    response = client.get(QUEUE, {"tab": "all", "state": "awaiting_payment"})
    assert references(response) == [cases["paying"].reference]
    response = client.get(QUEUE, {"tab": "all", "service": "food-shop-permit", "state": "document_check"})
    assert len(references(response)) == 5


def test_filter_by_service(world, cases):
    client = client_for(world["reviewer"])
    assert len(references(client.get(QUEUE, {"tab": "all", "service": "food-shop-permit"}))) == 6
    # The filter offers only services the officer's agencies have cases of.
    response = client.get(QUEUE, {"tab": "all", "service": "commercial-registration"})
    assert response.status_code == 200
    assert "service" in response.context["form"].errors
    assert len(references(response)) == 6  # an unknown choice is reported and not applied


# --- search -------------------------------------------------------------------------------------------


def search_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=SEARCH_PERSON_ACTION))


def test_search_by_reference_finds_the_case_and_is_not_audited(world, cases):
    client = client_for(world["reviewer"])  # signing in is audited; the search must add nothing
    before = AuditEntry.objects.count()
    response = client.get(QUEUE, {"tab": "all", "q": cases["paying"].reference})
    assert references(response) == [cases["paying"].reference]
    assert AuditEntry.objects.count() == before


def test_search_by_national_id_is_audited_without_the_number(world, cases):
    national_id = world["applicant"].national_id
    typed = f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}-{national_id[10:12]}-{national_id[12]}"
    response = client_for(world["reviewer"]).get(QUEUE, {"tab": "all", "q": typed})
    assert len(references(response)) == 6
    [entry] = search_entries()
    assert entry.payload == {"query_kind": "national_id", "national_id_last4": national_id[-4:]}
    assert entry.actor_id == str(world["reviewer"].public_id)
    assert national_id not in json.dumps(entry.payload)
    assert typed not in json.dumps(entry.payload)


def test_search_by_name_is_audited(world, cases):
    client = client_for(world["reviewer"])
    response = client.get(QUEUE, {"tab": "all", "q": world["applicant"].first_name_th})
    assert len(references(response)) == 6
    response = client.get(QUEUE, {"tab": "all", "q": "NoSuchNameAnywhere"})
    assert references(response) == []
    assert [entry.payload for entry in search_entries()] == [{"query_kind": "name"}, {"query_kind": "name"}]


def test_a_refused_search_writes_nothing(world, cases):
    citizen, anonymous = client_for(world["applicant"]), client_for(world["anonymous"])
    before = AuditEntry.objects.count()
    assert citizen.get(QUEUE, {"q": world["applicant"].national_id}).status_code == 403
    assert anonymous.get(QUEUE, {"q": world["applicant"].national_id}).status_code == 302
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("", ""),
        ("   ", ""),
        ("APP-2569-000123", "reference"),
        ("app-2569-000123", "reference"),
        ("1-2345-67890-12-1", "national_id"),
        ("1234567890121", "national_id"),
        ("1234", "national_id"),
        ("สมชาย", "name"),
        ("Somchai Test", "name"),
    ],
)
def test_search_kind(query, kind):
    assert search_kind(query) == kind


# --- pages --------------------------------------------------------------------------------------------


def test_the_queue_is_paged_by_25(world, case):
    first = Application.objects.get(pk=case.pk)
    # Copies of one submitted application: only the queue's paging is under test here.
    for number in range(2, 28):
        first.pk = None
        first.public_id = uuid.uuid4()
        first.reference = f"APP-2569-9{number:05d}"
        first.save()
    client = client_for(world["reviewer"])
    page_one = client.get(QUEUE, {"tab": "all"})
    assert len(page_one.context["rows"]) == 25
    assert page_one.context["page"].paginator.count == 27
    assert 'href="?tab=all&amp;page=2"' in page_one.content.decode()
    page_two = client.get(QUEUE, {"tab": "all", "page": "2"})
    assert len(page_two.context["rows"]) == 2
    assert set(references(page_one)).isdisjoint(references(page_two))
    assert len(client.get(QUEUE, {"tab": "all", "page": "x"}).context["rows"]) == 25
