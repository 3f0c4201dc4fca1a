"""A service's workflow: the rules a definition's workflow must keep, and who may take which action.

Pure: no ORM. The states and actions are those of docs/service-definitions.md; `draft` and `withdrawn`,
and the actions `submit` and `withdraw`, exist in every workflow without being written.
"""

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from django.utils.translation import gettext as _

from pracha.catalogue.definitions import (
    DRAFT_STATE,
    SPECIAL_ACTORS,
    SUBMIT,
    WITHDRAW,
    WITHDRAWN_STATE,
    Action,
    ActionKind,
    Escalation,
    Holder,
    Problem,
    Reader,
    State,
    Workflow,
    child_path,
    item_path,
)
from pracha.core.errors import Conflict, PermissionDenied

HOLDERS: tuple[str, ...] = get_args(Holder)
ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)
DONE_OUTCOMES = ("approved", "rejected")
RESERVED_NAMES = frozenset({DRAFT_STATE, WITHDRAWN_STATE, SUBMIT, WITHDRAW})
# State codes and action names: identifiers, stored on every application and its timeline.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
# The holder of the states each kind of action is taken in.
KIND_HOLDER: Mapping[str, str] = {
    "advance": "agency",
    "forward": "agency",
    "approve": "agency",
    "reject": "agency",
    "send_back": "agency",
    "request_document": "agency",
    "resubmit": "applicant",
    "consent": "consenter",
    "decline": "consenter",
    "paid": "payment",
}
# Who acts in a state that no agency holds; an agency's states are acted on by officers' roles.
HOLDER_ACTOR: Mapping[str, str] = {"applicant": "applicant", "consenter": "consenter", "payment": "system"}
# Where an action of these kinds leads: (holder, outcome).
KIND_TARGET: Mapping[str, tuple[str, str | None]] = {
    "approve": ("done", "approved"),
    "reject": ("done", "rejected"),
    "send_back": ("applicant", None),
    "request_document": ("applicant", None),
}
# An overdue case is never moved on by these as the system: it cannot pay, or correct answers, for anyone.
NOT_ESCALATED_KINDS = frozenset({"paid", "resubmit"})
STATE_KEYS = ("name", "holder", "sla_days", "agency", "escalation", "fees", "outcome", "actions")
ACTION_KEYS = ("name", "kind", "label", "by", "to")


@dataclass(frozen=True)
class Party:
    """Who wants to act: officers by their roles in the agency holding the case; the others by kind."""

    kind: Literal["applicant", "consenter", "officer", "system"]
    roles: frozenset[str] = frozenset()


def available_actions(
    workflow: Workflow, state_code: str, party: Party, *, escalated_role: str | None = None
) -> list[Action]:
    """The actions of the state that `party` may take. `escalated_role` is the role the case was escalated
    to, if it is overdue: that role may then take the officers' actions as well."""
    state = workflow.states.get(state_code)
    if state is None:
        return []
    return [action for action in state.actions if _may_take(state, action, party, escalated_role)]


def ensure_can(
    workflow: Workflow, state_code: str, action_name: str, party: Party, *, escalated_role: str | None = None
) -> Action:
    """The action, if `party` may take it now; Conflict if the state has no such action (the case has moved
    on), PermissionDenied if someone else must take it."""
    state = workflow.states.get(state_code)
    action = next((a for a in state.actions if a.name == action_name), None) if state is not None else None
    if state is None or action is None:
        raise Conflict(
            _("“%(action)s” cannot be done while the application is at “%(state)s”.")
            % {"action": action_name, "state": state.name if state is not None else state_code}
        )
    if not _may_take(state, action, party, escalated_role):
        raise PermissionDenied(
            _("You may not take the step “%(action)s” at “%(state)s”.")
            % {"action": action.label, "state": state.name}
        )
    return action


def can_withdraw(workflow: Workflow, state_code: str) -> bool:
    """Whether the application may be withdrawn in this state: any state but done ones (and the draft, which
    is deleted instead, and withdrawn). Only the applicant withdraws; the caller checks who asks."""
    state = workflow.states.get(state_code)
    return state is not None and state.holder != "done"


def acting_roles(state: State) -> frozenset[str]:
    """The officer roles that act in the state: whose queues its cases appear in."""
    return frozenset(actor for action in state.actions for actor in action.by if actor not in SPECIAL_ACTORS)


def reachable_states(workflow: Workflow) -> set[str]:
    """The states a submitted application can get to, the start state included."""
    return _reach(
        workflow.start, {code: [a.to for a in state.actions] for code, state in workflow.states.items()}
    )


def _may_take(state: State, action: Action, party: Party, escalated_role: str | None) -> bool:
    if party.kind != "officer":
        return party.kind in action.by
    if party.roles & (set(action.by) - set(SPECIAL_ACTORS)):
        return True
    # Only the role this state escalates to counts: a stale flag from an earlier state grants nothing.
    escalation = state.escalation
    return (
        state.holder == "agency"
        and escalated_role is not None
        and escalated_role in party.roles
        and escalation is not None
        and escalation.kind == "role"
        and escalation.role == escalated_role
    )


def _reach(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    if start not in edges:
        return set()
    reached = {start}
    queue = deque([start])
    while queue:
        for target in edges[queue.popleft()]:
            if target in edges and target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


@dataclass(frozen=True)
class _Known:
    """What the rest of the definition, and the database, tell the workflow."""

    roles: set[str]
    fee_codes: set[str]
    has_consent: bool
    agencies: set[str]
    # The states as written, for checking where actions lead even when a state has mistakes of its own.
    states: Mapping[str, Mapping[str, Any]]


def parse_workflow(
    data: Any,
    path: str,
    *,
    known_roles: set[str],
    fee_codes: set[str],
    has_consent: bool,
    known_agencies: set[str],
) -> tuple[Workflow | None, list[Problem]]:
    """The workflow, or None and every problem found (docs/service-definitions.md, "What validation
    refuses"). `fee_codes` are the definition's fees; `has_consent` whether it has a consent block."""
    reader = Reader()
    root = reader.mapping(data, path, keys=("start", "states"))
    if root is None:
        return None, reader.problems
    start = reader.string(root, "start", path)
    states_path = child_path(path, "states")
    raw_states = reader.submapping(root, "states", path)
    if raw_states is None:
        return None, reader.problems
    if not raw_states:
        reader.add(states_path, _("A workflow needs at least one state."))
        return None, reader.problems
    known = _Known(
        roles=known_roles,
        fee_codes=fee_codes,
        has_consent=has_consent,
        agencies=known_agencies,
        states={code: value for code, value in raw_states.items() if isinstance(value, Mapping)},
    )
    states: dict[str, State] = {}
    for code, value in raw_states.items():
        state_path = child_path(states_path, code)
        _check_name(reader, code, state_path)
        state = _read_state(reader, value, state_path, str(code), known)
        if state is not None:
            states[state.code] = state
    if start is not None:
        _check_start(reader, start, path, known)
    if reader.problems or start is None:
        return None, reader.problems
    return Workflow(start=start, states=states), []


def _check_start(reader: Reader, start: str, path: str, known: _Known) -> None:
    if start not in known.states:
        reader.add(child_path(path, "start"), _("There is no state “%(state)s”.") % {"state": start})
        return
    if known.states[start].get("holder") == "done":
        reader.add(
            child_path(path, "start"),
            _("The start state cannot be a done state: a submitted application must be handled."),
        )
    # From the states as written, so that a mistake inside one state does not make others look unreachable.
    edges = {
        code: [action["to"] for action in _raw_actions(state) if isinstance(action.get("to"), str)]
        for code, state in known.states.items()
    }
    reached = _reach(start, edges)
    for code in known.states:
        if code not in reached:
            reader.add(
                child_path(child_path(path, "states"), code),
                _("State “%(state)s” cannot be reached from the start state “%(start)s”.")
                % {"state": code, "start": start},
            )
    if not any(
        known.states[code].get("holder") == "done" and known.states[code].get("outcome") == "approved"
        for code in reached
    ):
        reader.add(
            path,
            _(
                "No state with holder “done” and outcome “approved” can be reached from the start state, "
                "so no application could ever be approved."
            ),
        )


def _check_name(reader: Reader, name: object, path: str) -> None:
    """A state code or action name: an identifier, and not one of the names every workflow has."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        reader.add(
            path,
            _(
                "“%(name)s” is not a valid name: use lower-case letters, digits and underscores, "
                "starting with a letter."
            )
            % {"name": name},
        )
    elif name in RESERVED_NAMES:
        reader.add(
            path,
            _("“%(name)s” is reserved: every workflow has it already. Choose another name.") % {"name": name},
        )


def _read_state(reader: Reader, value: object, path: str, code: str, known: _Known) -> State | None:
    obj = reader.mapping(value, path, keys=STATE_KEYS)
    if obj is None:
        return None
    before = len(reader.problems)
    name = reader.text(obj, "name", path)
    holder = reader.choice(obj, "holder", path, HOLDERS)
    agency = reader.string(obj, "agency", path, required=False)
    if agency is not None:
        if agency not in known.agencies:
            reader.add(child_path(path, "agency"), _("There is no agency “%(agency)s”.") % {"agency": agency})
        if holder not in (None, "agency"):
            reader.add(child_path(path, "agency"), _("Only a state held by an agency names an agency."))
    if holder == "consenter" and not known.has_consent:
        reader.add(
            child_path(path, "holder"),
            _(
                "A state held by the consenter needs a “consent” block naming the form field "
                "with their national ID."
            ),
        )
    sla_days: int | None = None
    outcome: str | None = None
    fees: tuple[str, ...] = ()
    escalation: Escalation | None = None
    # A done state's actions are refused whole; their own mistakes would only add noise.
    actions = _read_actions(reader, obj, path, holder, known) if holder != "done" else ()
    if holder == "done":
        _check_done(reader, obj, path)
        outcome = reader.choice(obj, "outcome", path, DONE_OUTCOMES)
    elif holder is not None:
        sla_days = reader.count(obj, "sla_days", path)
        if obj.get("outcome") is not None:
            reader.add(child_path(path, "outcome"), _("Only a done state has an outcome."))
        if holder == "payment":
            fees = _read_state_fees(reader, obj, path, known)
            if sum(1 for action in _raw_actions(obj) if action.get("kind") == "paid") != 1:
                reader.add(
                    child_path(path, "actions"),
                    _("A payment state has exactly one action of kind “paid”, by: [system]."),
                )
        else:
            if obj.get("fees") is not None:
                reader.add(child_path(path, "fees"), _("Only a payment state lists fees."))
            if not _raw_actions(obj):
                reader.add(
                    child_path(path, "actions"),
                    _(
                        "Only a done state has no actions: give this state at least one, "
                        "or make it a done state."
                    ),
                )
        escalation = _read_escalation(reader, obj, path, holder, known)
    if len(reader.problems) > before or name is None or holder is None:
        return None
    return State(
        code=code,
        name=name,
        holder=cast(Holder, holder),
        sla_days=sla_days,
        agency=agency,
        escalation=escalation,
        fees=fees,
        outcome=cast(Literal["approved", "rejected"] | None, outcome),
        actions=actions,
    )


def _check_done(reader: Reader, obj: Mapping[str, Any], path: str) -> None:
    if _raw_actions(obj):
        reader.add(child_path(path, "actions"), _("A done state has no actions: the case is closed."))
    if obj.get("sla_days") is not None:
        reader.add(child_path(path, "sla_days"), _("A done state has no time limit; remove sla_days."))
    if obj.get("escalation") is not None:
        reader.add(child_path(path, "escalation"), _("A done state is never overdue; remove the escalation."))
    if obj.get("fees") is not None:
        reader.add(child_path(path, "fees"), _("Only a payment state lists fees."))


def _raw_actions(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    actions = obj.get("actions")
    return [a for a in actions if isinstance(a, Mapping)] if isinstance(actions, list) else []


def _read_state_fees(reader: Reader, obj: Mapping[str, Any], path: str, known: _Known) -> tuple[str, ...]:
    fees_path = child_path(path, "fees")
    values = reader.sequence(obj, "fees", path, required=False)
    if not values:
        if values is not None or obj.get("fees") is None:
            reader.add(fees_path, _("A payment state lists the codes of the fees it charges."))
        return ()
    codes: list[str] = []
    for index, value in enumerate(values):
        code = reader.string_value(value, item_path(fees_path, index))
        if code is None:
            continue
        if code not in known.fee_codes:
            reader.add(item_path(fees_path, index), _("There is no fee “%(fee)s”.") % {"fee": code})
        elif code in codes:
            reader.add(item_path(fees_path, index), _("“%(code)s” is listed twice.") % {"code": code})
        codes.append(code)
    return tuple(codes)


def _read_actions(
    reader: Reader, obj: Mapping[str, Any], path: str, holder: str | None, known: _Known
) -> tuple[Action, ...]:
    actions: list[Action] = []
    names: set[str] = set()
    for index, value in enumerate(reader.sequence(obj, "actions", path, required=False) or []):
        action_path = item_path(child_path(path, "actions"), index)
        action = _read_action(reader, value, action_path, holder, known)
        if action is None:
            continue
        if action.name in names:
            reader.add(
                child_path(action_path, "name"),
                _("Another action of this state is named “%(name)s” too.") % {"name": action.name},
            )
        names.add(action.name)
        actions.append(action)
    return tuple(actions)


def _read_action(
    reader: Reader, value: object, path: str, holder: str | None, known: _Known
) -> Action | None:
    obj = reader.mapping(value, path, keys=ACTION_KEYS)
    if obj is None:
        return None
    before = len(reader.problems)
    name = reader.string(obj, "name", path)
    if name is not None:
        _check_name(reader, name, child_path(path, "name"))
    kind = reader.choice(obj, "kind", path, ACTION_KINDS)
    label = reader.text(obj, "label", path)
    by = _read_by(reader, obj, path, holder, known)
    to = reader.string(obj, "to", path)
    if kind is not None and holder is not None and KIND_HOLDER[kind] != holder:
        reader.add(
            child_path(path, "kind"),
            _(
                "An action of kind “%(kind)s” is taken in a state with holder “%(expected)s”, "
                "not “%(holder)s”."
            )
            % {"kind": kind, "expected": KIND_HOLDER[kind], "holder": holder},
        )
    if to is not None:
        _check_target(reader, kind, to, child_path(path, "to"), known)
    if len(reader.problems) > before or name is None or kind is None or label is None or to is None:
        return None
    return Action(name=name, kind=cast(ActionKind, kind), label=label, by=by, to=to)


def _read_by(
    reader: Reader, obj: Mapping[str, Any], path: str, holder: str | None, known: _Known
) -> tuple[str, ...]:
    by_path = child_path(path, "by")
    values = reader.sequence(obj, "by", path)
    if values is None:
        return ()
    if not values:
        reader.add(
            by_path, _("Name who takes this action: officer roles, or applicant, consenter or system.")
        )
        return ()
    actors: list[str] = []
    for index, value in enumerate(values):
        actor = reader.string_value(value, item_path(by_path, index))
        if actor is None:
            continue
        if actor not in SPECIAL_ACTORS and actor not in known.roles:
            reader.add(item_path(by_path, index), _("There is no role “%(role)s”.") % {"role": actor})
        actors.append(actor)
    if holder is not None and holder in HOLDER_ACTOR and actors != [HOLDER_ACTOR[holder]]:
        reader.add(
            by_path,
            _("In a state with holder “%(holder)s”, every action is by: [%(actor)s].")
            % {"holder": holder, "actor": HOLDER_ACTOR[holder]},
        )
    elif holder == "agency":
        for actor in actors:
            if actor in SPECIAL_ACTORS:
                reader.add(
                    by_path,
                    _("“%(actor)s” cannot act in a state held by an agency: name officer roles here.")
                    % {"actor": actor},
                )
    return tuple(actors)


def _check_target(reader: Reader, kind: str | None, to: str, path: str, known: _Known) -> None:
    target = known.states.get(to)
    if target is None:
        reader.add(path, _("There is no state “%(state)s”.") % {"state": to})
        return
    target_holder, target_outcome = target.get("holder"), target.get("outcome")
    # A target with a wrong holder or outcome has its own problem; judging actions by it would only add noise.
    if target_holder not in HOLDERS or (target_holder == "done" and target_outcome not in DONE_OUTCOMES):
        return
    if kind is None or kind not in KIND_TARGET:
        return
    holder, outcome = KIND_TARGET[kind]
    if target_holder == holder and (outcome is None or target_outcome == outcome):
        return
    if outcome is None:
        message = _(
            "An action of kind “%(kind)s” leads to a state with holder “%(holder)s”; “%(state)s” is not one."
        )
    else:
        message = _(
            "An action of kind “%(kind)s” leads to a state with holder “%(holder)s” "
            "and outcome “%(outcome)s”; “%(state)s” is not one."
        )
    reader.add(path, message % {"kind": kind, "holder": holder, "outcome": outcome, "state": to})


def _read_escalation(
    reader: Reader, obj: Mapping[str, Any], path: str, holder: str, known: _Known
) -> Escalation | None:
    value = reader.get(obj, "escalation", path, required=False)
    if value is None:
        return None
    escalation_path = child_path(path, "escalation")
    escalation = reader.mapping(value, escalation_path)
    if escalation is None:
        return None
    kind = reader.choice(escalation, "kind", escalation_path, ("role", "action"))
    # Each kind names one thing: a role, or an action.
    reader.mapping(escalation, escalation_path, keys=("kind", kind) if kind else ("kind", "role", "action"))
    if kind == "role":
        role = reader.string(escalation, "role", escalation_path)
        if role is not None and role not in known.roles:
            reader.add(
                child_path(escalation_path, "role"), _("There is no role “%(role)s”.") % {"role": role}
            )
        if holder != "agency":
            reader.add(escalation_path, _("Only a state held by an agency escalates to a role."))
        return Escalation(kind="role", role=role or "")
    if kind == "action":
        name = reader.string(escalation, "action", escalation_path)
        kinds = {action.get("name"): action.get("kind") for action in _raw_actions(obj)}
        action_path = child_path(escalation_path, "action")
        if name is not None and name not in kinds:
            reader.add(action_path, _("This state has no action “%(action)s”.") % {"action": name})
        elif name is not None and kinds[name] in NOT_ESCALATED_KINDS:
            reader.add(
                action_path,
                _(
                    "An overdue case is never moved on by an action of kind “%(kind)s”: "
                    "nobody can give it for them."
                )
                % {"kind": kinds[name]},
            )
        return Escalation(kind="action", action=name or "")
    return None
