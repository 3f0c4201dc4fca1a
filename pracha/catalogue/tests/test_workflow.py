"""Workflow rules: what parse_workflow refuses, and who may take which action in a state. No database."""

from typing import Any

import pytest

from pracha.catalogue.definitions import Action, Problem, Text, Workflow
from pracha.catalogue.tests.test_definitions import (
    KNOWN_AGENCIES,
    KNOWN_ROLES,
    action,
    food_shop_definition,
    pair,
)
from pracha.catalogue.workflow import (
    Party,
    acting_roles,
    available_actions,
    can_withdraw,
    ensure_can,
    parse_workflow,
    reachable_states,
)
from pracha.core.errors import Conflict, PermissionDenied

FEE_CODES = {"permit-fee", "area-fee"}


def workflow_data() -> dict[str, Any]:
    data: dict[str, Any] = food_shop_definition()["workflow"]
    return data


def with_consent_state(data: dict[str, Any]) -> dict[str, Any]:
    """The owner of the premises agrees first."""
    data["states"]["owner_consent"] = {
        "name": pair("เจ้าของบ้านยินยอม", "Owner's consent"),
        "holder": "consenter",
        "sla_days": 7,
        "actions": [
            action("agree", "consent", ["consenter"], "document_check"),
            action("refuse", "decline", ["consenter"], "rejected"),
        ],
    }
    data["start"] = "owner_consent"
    return data


def parse(data: Any, *, has_consent: bool = False) -> tuple[Workflow | None, list[Problem]]:
    return parse_workflow(
        data,
        "workflow",
        known_roles=KNOWN_ROLES,
        fee_codes=FEE_CODES,
        has_consent=has_consent,
        known_agencies=KNOWN_AGENCIES,
    )


def food_shop_workflow() -> Workflow:
    workflow, problems = parse(with_consent_state(workflow_data()), has_consent=True)
    assert problems == []
    assert workflow is not None
    return workflow


def names(actions: list[Action]) -> list[str]:
    return [a.name for a in actions]


# Parsing


def test_a_valid_workflow_is_parsed():
    workflow, problems = parse(workflow_data())

    assert problems == []
    assert workflow is not None
    payment = workflow.states["awaiting_payment"]
    assert (payment.holder, payment.sla_days, payment.fees) == ("payment", 15, ("permit-fee", "area-fee"))
    assert payment.actions == (
        Action(name="paid", kind="paid", label=Text("ป้าย paid", "Label paid"), by=("system",), to="approved"),
    )
    assert (workflow.states["approved"].outcome, workflow.states["approved"].sla_days) == ("approved", None)


def states(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["states"]
    return result


UNREACHABLE_FROM_APPROVED = (
    "document_check", "site_inspection", "approval", "awaiting_payment", "correction", "rejected",
)  # fmt: skip

BROKEN: dict[str, tuple[Any, list[Problem]]] = {
    "consenter state without a consent block": (
        with_consent_state,
        [
            Problem(
                "workflow.states.owner_consent.holder",
                "A state held by the consenter needs a “consent” block naming the form field "
                "with their national ID.",
            )
        ],
    ),
    "resubmit by an officer": (
        lambda d: states(d)["correction"]["actions"][0].update(by=["reviewer"]),
        [
            Problem(
                "workflow.states.correction.actions[0].by",
                "In a state with holder “applicant”, every action is by: [applicant].",
            )
        ],
    ),
    "resubmit from an agency state": (
        lambda d: states(d)["approval"]["actions"].append(
            action("again", "resubmit", ["approver"], "document_check")
        ),
        [
            Problem(
                "workflow.states.approval.actions[2].kind",
                "An action of kind “resubmit” is taken in a state with holder “applicant”, not “agency”.",
            )
        ],
    ),
    "applicant acting in an agency state": (
        lambda d: states(d)["document_check"]["actions"][0].update(by=["reviewer", "applicant"]),
        [
            Problem(
                "workflow.states.document_check.actions[0].by",
                "“applicant” cannot act in a state held by an agency: name officer roles here.",
            )
        ],
    ),
    "paid by an officer": (
        lambda d: states(d)["awaiting_payment"]["actions"][0].update(by=["approver"]),
        [
            Problem(
                "workflow.states.awaiting_payment.actions[0].by",
                "In a state with holder “payment”, every action is by: [system].",
            )
        ],
    ),
    "two paid actions": (
        lambda d: states(d)["awaiting_payment"]["actions"].append(
            action("paid_again", "paid", ["system"], "approved")
        ),
        [
            Problem(
                "workflow.states.awaiting_payment.actions",
                "A payment state has exactly one action of kind “paid”, by: [system].",
            )
        ],
    ),
    "payment state without fees": (
        lambda d: states(d)["awaiting_payment"].update(fees=[]),
        [
            Problem(
                "workflow.states.awaiting_payment.fees",
                "A payment state lists the codes of the fees it charges.",
            )
        ],
    ),
    "fees on an agency state": (
        lambda d: states(d)["approval"].update(fees=["permit-fee"]),
        [Problem("workflow.states.approval.fees", "Only a payment state lists fees.")],
    ),
    "approve to a state that is not done": (
        lambda d: states(d)["approval"]["actions"][0].update(kind="approve"),
        [
            Problem(
                "workflow.states.approval.actions[0].to",
                "An action of kind “approve” leads to a state with holder “done” and outcome “approved”; "
                "“awaiting_payment” is not one.",
            )
        ],
    ),
    "reject to an approved state": (
        lambda d: states(d)["site_inspection"]["actions"][1].update(to="approved"),
        [
            Problem(
                "workflow.states.site_inspection.actions[1].to",
                "An action of kind “reject” leads to a state with holder “done” and outcome “rejected”; "
                "“approved” is not one.",
            )
        ],
    ),
    "state without actions": (
        lambda d: states(d)["site_inspection"].update(actions=[]),
        [
            Problem(
                "workflow.states.site_inspection.actions",
                "Only a done state has no actions: give this state at least one, or make it a done state.",
            ),
            Problem(
                "workflow.states.approval",
                "State “approval” cannot be reached from the start state “document_check”.",
            ),
            Problem(
                "workflow.states.awaiting_payment",
                "State “awaiting_payment” cannot be reached from the start state “document_check”.",
            ),
            Problem(
                "workflow.states.approved",
                "State “approved” cannot be reached from the start state “document_check”.",
            ),
            Problem(
                "workflow.states.rejected",
                "State “rejected” cannot be reached from the start state “document_check”.",
            ),
            Problem(
                "workflow",
                "No state with holder “done” and outcome “approved” can be reached from the start state, "
                "so no application could ever be approved.",
            ),
        ],
    ),
    "state without an SLA": (
        lambda d: states(d)["approval"].pop("sla_days"),
        [Problem("workflow.states.approval.sla_days", "This is required.")],
    ),
    "SLA of zero days": (
        lambda d: states(d)["approval"].update(sla_days=0),
        [Problem("workflow.states.approval.sla_days", "Expected a whole number greater than zero.")],
    ),
    "done state with an SLA": (
        lambda d: states(d)["rejected"].update(sla_days=1),
        [Problem("workflow.states.rejected.sla_days", "A done state has no time limit; remove sla_days.")],
    ),
    "done state without an outcome": (
        lambda d: states(d)["rejected"].pop("outcome"),
        [Problem("workflow.states.rejected.outcome", "This is required.")],
    ),
    "outcome on an agency state": (
        lambda d: states(d)["approval"].update(outcome="approved"),
        [Problem("workflow.states.approval.outcome", "Only a done state has an outcome.")],
    ),
    "reserved state name": (
        lambda d: states(d).update(
            withdrawn={"name": pair("ถอน", "Withdrawn"), "holder": "done", "outcome": "rejected"}
        ),
        [
            Problem(
                "workflow.states.withdrawn",
                "“withdrawn” is reserved: every workflow has it already. Choose another name.",
            ),
            Problem(
                "workflow.states.withdrawn",
                "State “withdrawn” cannot be reached from the start state “document_check”.",
            ),
        ],
    ),
    "reserved action name": (
        lambda d: states(d)["correction"]["actions"][0].update(name="submit"),
        [
            Problem(
                "workflow.states.correction.actions[0].name",
                "“submit” is reserved: every workflow has it already. Choose another name.",
            )
        ],
    ),
    "invalid action name": (
        lambda d: states(d)["correction"]["actions"][0].update(name="Re-submit"),
        [
            Problem(
                "workflow.states.correction.actions[0].name",
                "“Re-submit” is not a valid name: use lower-case letters, digits and underscores, "
                "starting with a letter.",
            )
        ],
    ),
    "two actions with one name": (
        lambda d: states(d)["approval"]["actions"][1].update(name="approve"),
        [
            Problem(
                "workflow.states.approval.actions[1].name",
                "Another action of this state is named “approve” too.",
            )
        ],
    ),
    "unknown state agency": (
        lambda d: states(d)["site_inspection"].update(agency="bma-health"),
        [Problem("workflow.states.site_inspection.agency", "There is no agency “bma-health”.")],
    ),
    "agency on an applicant state": (
        lambda d: states(d)["correction"].update(agency="bma"),
        [Problem("workflow.states.correction.agency", "Only a state held by an agency names an agency.")],
    ),
    "escalation to a role on a payment state": (
        lambda d: states(d)["awaiting_payment"].update(escalation={"kind": "role", "role": "approver"}),
        [
            Problem(
                "workflow.states.awaiting_payment.escalation",
                "Only a state held by an agency escalates to a role.",
            )
        ],
    ),
    "escalation that pays": (
        lambda d: states(d)["awaiting_payment"].update(escalation={"kind": "action", "action": "paid"}),
        [
            Problem(
                "workflow.states.awaiting_payment.escalation.action",
                "An overdue case is never moved on by an action of kind “paid”: nobody can give it for them.",
            )
        ],
    ),
    "escalation naming a role and an action": (
        lambda d: states(d)["document_check"]["escalation"].update(action="accept"),
        [
            Problem(
                "workflow.states.document_check.escalation.action",
                "This key is not part of the definition format.",
            )
        ],
    ),
    "unknown holder": (
        lambda d: states(d)["approval"].update(holder="officer"),
        [
            Problem(
                "workflow.states.approval.holder",
                "“officer” is not one of: agency, applicant, consenter, payment, done.",
            )
        ],
    ),
    "unknown action kind": (
        lambda d: states(d)["approval"]["actions"][0].update(kind="grant"),
        [
            Problem(
                "workflow.states.approval.actions[0].kind",
                "“grant” is not one of: advance, forward, approve, reject, send_back, request_document, "
                "resubmit, consent, decline, paid.",
            )
        ],
    ),
    "unknown start state": (
        lambda d: d.update(start="reception"),
        [Problem("workflow.start", "There is no state “reception”.")],
    ),
    "done start state": (
        lambda d: d.update(start="approved"),
        [
            Problem(
                "workflow.start",
                "The start state cannot be a done state: a submitted application must be handled.",
            ),
            *(
                Problem(
                    f"workflow.states.{code}",
                    f"State “{code}” cannot be reached from the start state “approved”.",
                )
                for code in UNREACHABLE_FROM_APPROVED
            ),
        ],
    ),
}


@pytest.mark.parametrize(("change", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_workflow_is_refused_at_the_problem(change: Any, expected: list[Problem]):
    data = workflow_data()
    change(data)

    assert parse(data) == (None, expected)


def test_a_consenter_state_is_allowed_with_a_consent_block():
    workflow, problems = parse(with_consent_state(workflow_data()), has_consent=True)

    assert problems == []
    assert workflow is not None
    assert workflow.states["owner_consent"].holder == "consenter"


def test_a_workflow_needs_states():
    assert parse({"start": "document_check", "states": {}}) == (
        None,
        [Problem("workflow.states", "A workflow needs at least one state.")],
    )


# Who may do what


@pytest.mark.parametrize(
    ("state", "party", "expected"),
    [
        ("correction", Party("applicant"), ["resubmit"]),
        ("document_check", Party("applicant"), []),
        ("owner_consent", Party("consenter"), ["agree", "refuse"]),
        ("document_check", Party("consenter"), []),
        ("document_check", Party("officer", frozenset({"reviewer"})), ["accept", "send_back"]),
        ("document_check", Party("officer", frozenset({"inspector", "approver"})), []),
        ("approval", Party("officer", frozenset({"approver"})), ["approve", "reject"]),
        ("correction", Party("officer", frozenset({"reviewer"})), []),
        ("awaiting_payment", Party("system"), ["paid"]),
        ("awaiting_payment", Party("officer", frozenset({"approver"})), []),
        ("approved", Party("officer", frozenset({"reviewer"})), []),
        ("draft", Party("applicant"), []),
    ],
)
def test_available_actions(state: str, party: Party, expected: list[str]):
    assert names(available_actions(food_shop_workflow(), state, party)) == expected


def test_the_role_a_state_escalates_to_may_act_once_escalated():
    workflow = food_shop_workflow()
    approver = Party("officer", frozenset({"approver"}))

    assert names(available_actions(workflow, "document_check", approver)) == []
    assert names(available_actions(workflow, "document_check", approver, escalated_role="approver")) == [
        "accept",
        "send_back",
    ]


def test_an_escalated_role_counts_only_for_the_state_that_escalates_to_it():
    workflow = food_shop_workflow()
    inspector = Party("officer", frozenset({"inspector"}))
    reviewer = Party("officer", frozenset({"reviewer"}))

    # document_check escalates to approver, not inspector; approval escalates by an action, to no role.
    assert available_actions(workflow, "document_check", inspector, escalated_role="inspector") == []
    assert available_actions(workflow, "approval", reviewer, escalated_role="reviewer") == []
    # The flag alone grants nothing: the officer must hold the role.
    assert available_actions(workflow, "document_check", inspector, escalated_role="approver") == []


def test_ensure_can_gives_the_action():
    workflow = food_shop_workflow()

    assert (
        ensure_can(workflow, "correction", "resubmit", Party("applicant"))
        == workflow.states["correction"].actions[0]
    )
    assert (
        ensure_can(
            workflow,
            "document_check",
            "accept",
            Party("officer", frozenset({"approver"})),
            escalated_role="approver",
        )
        == (workflow.states["document_check"].actions[0])
    )


def test_ensure_can_refuses_an_action_the_state_does_not_have():
    workflow = food_shop_workflow()

    with pytest.raises(Conflict) as raised:
        ensure_can(workflow, "approval", "accept", Party("officer", frozenset({"reviewer"})))

    assert str(raised.value) == "“accept” cannot be done while the application is at “Approval”."


def test_ensure_can_refuses_a_state_outside_the_workflow():
    with pytest.raises(Conflict) as raised:
        ensure_can(food_shop_workflow(), "withdrawn", "resubmit", Party("applicant"))

    assert str(raised.value) == "“resubmit” cannot be done while the application is at “withdrawn”."


@pytest.mark.parametrize(
    ("state", "action_name", "party"),
    [
        ("document_check", "accept", Party("officer", frozenset({"inspector"}))),
        ("document_check", "accept", Party("applicant")),
        ("correction", "resubmit", Party("officer", frozenset({"reviewer"}))),
        ("awaiting_payment", "paid", Party("applicant")),
    ],
)
def test_ensure_can_refuses_someone_who_may_not_take_the_action(state: str, action_name: str, party: Party):
    workflow = food_shop_workflow()

    with pytest.raises(PermissionDenied) as raised:
        ensure_can(workflow, state, action_name, party)

    label, state_name = f"Label {action_name}", workflow.states[state].name.en
    assert str(raised.value) == f"You may not take the step “{label}” at “{state_name}”."


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("owner_consent", True),
        ("document_check", True),
        ("correction", True),
        ("awaiting_payment", True),
        ("approved", False),
        ("rejected", False),
        ("draft", False),
        ("withdrawn", False),
    ],
)
def test_can_withdraw(state: str, expected: bool):
    assert can_withdraw(food_shop_workflow(), state) is expected


def test_acting_roles_are_the_officer_roles_of_the_state():
    workflow = food_shop_workflow()

    assert acting_roles(workflow.states["document_check"]) == frozenset({"reviewer"})
    assert acting_roles(workflow.states["correction"]) == frozenset()
    assert acting_roles(workflow.states["awaiting_payment"]) == frozenset()


def test_reachable_states():
    workflow = food_shop_workflow()

    assert reachable_states(workflow) == set(workflow.states)
    assert (
        reachable_states(Workflow(start="correction", states={"approval": workflow.states["approval"]}))
        == set()
    )
