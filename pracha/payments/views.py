"""The payment pages: a person's payments, the traffic-fine look-up, a bill's page with its PromptPay QR,
the e-receipt; and the officers' payments desk: bills, cash at the counter, refunds, exceptions and bank
statements.

A bill's page and its receipt are reached by a UUID that works as a payment link: whoever has it may see
and pay the bill, with the payer's name masked unless selectors.may_see_payer says otherwise. Each view
fetches through a selector (NotFound, shown as 404, for anything the person may not see), validates
with a form, calls one service and responds; a service's refusal is shown on the form in the person's
language. Pages are never_cache: they carry personal data or a state that changes.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urljoin

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pracha.accounts.public import User
from pracha.agencies.public import agencies_where_permitted, has_permission
from pracha.core import http
from pracha.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from pracha.core.forms import add_domain_error
from pracha.core.http import View, domain_errors_as_http, show_on_form, signed_in_page
from pracha.core.money import format_baht
from pracha.core.pagination import paginated
from pracha.core.text import masked_name
from pracha.core.working_days import local_today
from pracha.payments import selectors, services
from pracha.payments.forms import (
    APPROVE,
    BillFilterForm,
    CancelBillForm,
    CashPaymentForm,
    ExceptionResolveForm,
    FineLookupForm,
    RefundDecisionForm,
    RefundRequestForm,
    StatementUploadForm,
)
from pracha.payments.models import Bill, Payment, PaymentException, Receipt, Refund, StatementLine
from pracha.payments.qr import qr_svg

PAGE_SIZE = 25
# How often a bill's page asks whether the payment has arrived: the meta refresh (no script) and the
# script's polling (which reloads only when the state changes).
REFRESH_SECONDS = 10
POLL_SECONDS = 3


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _actor(request: HttpRequest) -> User | None:
    """Who to audit for what a public page does: the person if signed in, else nobody."""
    return _user(request) if request.user.is_authenticated else None


def _handles_payments(user: Any) -> bool:
    return bool(agencies_where_permitted(user, "payments.view"))


def desk_page(*methods: str) -> Callable[[View], View]:
    """The payments desk: officers with payments.view at some agency (else 403)."""
    return http.desk_page(
        *methods,
        allowed=_handles_payments,
        refusal=gettext_lazy("Only officers who handle payments can use the payments desk."),
    )


# --- what the pages show of a bill --------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    name: str
    amount_satang: int


def line_rows(lines: list[dict[str, Any]]) -> list[LineRow]:
    """A bill's or receipt's items, named in the reader's language."""
    english = (get_language() or "th").startswith("en")
    return [
        LineRow(name=str(line["name_en" if english else "name_th"]), amount_satang=int(line["amount_satang"]))
        for line in lines
    ]


def payment_of(bill: Bill) -> Payment | None:
    try:
        return bill.payment
    except Payment.DoesNotExist:
        return None


def receipt_of(payment: Payment | None) -> Receipt | None:
    if payment is None:
        return None
    try:
        return payment.receipt
    except Receipt.DoesNotExist:
        return None


def simulator_link(request: HttpRequest, bill: Bill, payload: str) -> str:
    """The demo bank's "banking app" with this bill's QR payload filled in, and the way back here."""
    base = settings.PRACHA_BANK_SIMULATOR_URL
    if not base:
        return ""
    back = request.build_absolute_uri(reverse("payments:bill", args=[bill.public_id]))
    return f"{base}?{urlencode({'payload': payload, 'return': back})}"


def _bill_context(request: HttpRequest, bill: Bill) -> dict[str, Any]:
    payment = payment_of(bill)
    context: dict[str, Any] = {
        "bill": bill,
        "lines": line_rows(bill.lines),
        "payer_name": bill.payer_name
        if selectors.may_see_payer(user=request.user, bill=bill)
        else masked_name(bill.payer_name),
        "payment": payment,
        "receipt": receipt_of(payment),
        "settled": bill.state in Bill.SETTLED_STATES,
        "refresh_seconds": REFRESH_SECONDS,
        "poll_seconds": POLL_SECONDS,
    }
    if bill.is_payable:
        try:
            payload = selectors.promptpay_payload(bill)
        except Conflict as error:  # the agency has no biller ID: it cannot be paid online
            context["no_qr"] = str(error.message)
            return context
        title = _("PromptPay QR code: pay %(amount)s to %(agency)s") % {
            "amount": format_baht(bill.amount_satang),
            "agency": bill.agency.name,
        }
        # segno writes the SVG from our own payload and title (which it escapes): nothing a person typed.
        context["qr"] = mark_safe(qr_svg(payload, title=title))  # noqa: S308
        context["payload"] = payload
        context["simulator_url"] = simulator_link(request, bill, payload)
    return context


# --- citizens -----------------------------------------------------------------------------------------


@signed_in_page("GET")
def my_payments(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    bills = selectors.bills_of(user=user)
    tickets = selectors.traffic_tickets_of(user=user)
    return render(
        request,
        "payments/my_payments.html",
        {
            "to_pay": [bill for bill in bills if bill.is_payable],
            "settled": [
                (bill, receipt_of(payment_of(bill))) for bill in bills if bill.state in Bill.SETTLED_STATES
            ],
            "unpaid_tickets": [ticket for ticket in tickets if ticket.paid_at is None],
            "paid_tickets": [ticket for ticket in tickets if ticket.paid_at is not None],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def fine_lookup(request: HttpRequest) -> HttpResponse:
    form = FineLookupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            bill = services.bill_for_traffic_ticket(
                ticket_number=form.cleaned_data["ticket_number"], plate=form.cleaned_data["plate"]
            )
        except NotFound as error:
            # The service gives one answer for a wrong number and a wrong plate; shown at the first field.
            form.add_error("ticket_number", str(error.message))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("payments:bill", public_id=bill.public_id)
    return render(request, "payments/fine_lookup.html", {"form": form})


@signed_in_page("POST")
def fine_pay(request: HttpRequest, ticket_number: str) -> HttpResponse:
    try:
        bill = services.bill_for_traffic_ticket(ticket_number=ticket_number, user=_user(request))
    except DomainError as error:
        if isinstance(error, NotFound | PermissionDenied):
            raise
        messages.error(request, str(error.message))
        return redirect("payments:my-payments")
    return redirect("payments:bill", public_id=bill.public_id)


@never_cache
@require_GET
@domain_errors_as_http
def bill(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.bill_by_public_id(public_id=public_id)
    if found.is_payable:
        found = services.bill_present(bill=found, actor=_actor(request))
    return render(request, "payments/bill.html", _bill_context(request, found))


@never_cache
@require_GET
@domain_errors_as_http
def bill_status(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    found = selectors.bill_by_public_id(public_id=public_id)
    return JsonResponse({"state": found.state, "paid": found.state in Bill.SETTLED_STATES})


@never_cache
@require_POST
@domain_errors_as_http
def bill_renew(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.bill_by_public_id(public_id=public_id)
    try:
        renewed = services.bill_renew(bill=found, actor=_actor(request))
    except DomainError as error:
        if isinstance(error, NotFound | PermissionDenied):
            raise
        messages.error(request, str(error.message))
        return redirect("payments:bill", public_id=found.public_id)
    return redirect("payments:bill", public_id=renewed.public_id)


@never_cache
@require_GET
@domain_errors_as_http
def receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.receipt_by_public_id(public_id=public_id)
    payer_name = found.payer_name
    if not selectors.may_see_receipt(user=request.user, receipt=found):
        payer_name = masked_name(found.payer_name)
    return render(
        request,
        "payments/receipt.html",
        {
            "receipt": found,
            "bill": found.payment.bill,
            "lines": line_rows(found.lines),
            "payer_name": payer_name,
        },
    )


# --- the payments desk: bills -------------------------------------------------------------------------


@desk_page("GET")
def manage(request: HttpRequest) -> HttpResponse:
    form = BillFilterForm(request.GET)
    form.is_valid()  # an unknown status is shown as an error and that filter ignored
    filters = {
        "q": (form.cleaned_data.get("q") or "").strip(),
        "state": form.cleaned_data.get("state") or "",
    }
    bills = selectors.officer_bills(user=_user(request), query=filters["q"], state=filters["state"])
    return render(
        request,
        "payments/manage.html",
        {
            "form": form,
            **paginated(request, bills, per_page=PAGE_SIZE, filters=filters),
            "filtered": any(filters.values()),
        },
    )


def _manage_bill_page(
    request: HttpRequest, bill: Bill, *, failed: str = "", failed_form: forms.Form | None = None
) -> HttpResponse:
    """The officers' page of a bill; `failed` names the form a refused POST came from ("cash", "refund",
    "cancel"), which is shown bound, with its errors."""
    user = _user(request)
    permissions = selectors.bill_permissions(user=user, bill=bill)
    payment = payment_of(bill)

    def pick(key: str, default: forms.Form) -> forms.Form:
        return failed_form if failed == key and failed_form is not None else default

    refundable = selectors.refundable_satang(bill)
    context = {
        "bill": bill,
        "lines": line_rows(bill.lines),
        "payment": payment,
        "receipt": receipt_of(payment),
        "refunds": bill.refunds.select_related("requested_by", "decided_by"),
        "exceptions": bill.exceptions.select_related("notification"),
        "refundable_satang": refundable,
        "show_cash": permissions.can_record_cash and bill.is_payable,
        # An application fee belongs to its application's workflow, which would only bill it again.
        "show_cancel": permissions.can_manage and bill.is_payable and bill.kind != Bill.Kind.APPLICATION_FEE,
        "show_refund": permissions.can_manage and bill.state in Bill.SETTLED_STATES and refundable > 0,
        "cash_form": pick("cash", CashPaymentForm(prefix="cash")),
        "refund_form": pick(
            "refund", RefundRequestForm(prefix="refund", initial={"idempotency_key": uuid.uuid4()})
        ),
        "cancel_form": pick("cancel", CancelBillForm(prefix="cancel")),
        # The form a refused POST came from: the page's error summary and title show its errors.
        "form": failed_form,
    }
    return render(request, "payments/manage_bill.html", context)


def _done(request: HttpRequest, bill: Bill, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("payments:manage-bill", reference=bill.reference)


@desk_page("GET")
def manage_bill(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.access_officer_bill(user=_user(request), reference=reference)
    return _manage_bill_page(request, found)


@desk_page("POST")
def manage_bill_cash(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    found = selectors.access_officer_bill(user=user, reference=reference)
    form = CashPaymentForm(request.POST, prefix="cash")
    if form.is_valid():
        try:
            issued = services.bill_cash_record(
                actor=user, bill=found, amount_satang=form.cleaned_data["amount"]
            )
        except DomainError as error:
            show_on_form(form, error)
            found = selectors.access_officer_bill(user=user, reference=reference)
        else:
            messages.success(
                request,
                _("The cash payment has been recorded. Receipt number %(number)s.")
                % {"number": issued.number},
            )
            return redirect("payments:receipt", public_id=issued.public_id)
    return _manage_bill_page(request, found, failed="cash", failed_form=form)


@desk_page("POST")
def manage_bill_refund(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    found = selectors.access_officer_bill(user=user, reference=reference)
    form = RefundRequestForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            refund = services.refund_request(
                actor=user,
                bill=found,
                amount_satang=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=str(form.cleaned_data["idempotency_key"]),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            done = _("A refund of %(amount)s has been requested. Another officer must approve it.")
            return _done(request, found, done % {"amount": format_baht(refund.amount_satang)})
    return _manage_bill_page(request, found, failed="refund", failed_form=form)


@desk_page("POST")
def manage_bill_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    found = selectors.access_officer_bill(user=user, reference=reference)
    form = CancelBillForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.bill_cancel(actor=user, bill=found, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_on_form(form, error)
            found = selectors.access_officer_bill(user=user, reference=reference)
        else:
            return _done(
                request, found, _("Bill %(reference)s has been cancelled.") % {"reference": found.reference}
            )
    return _manage_bill_page(request, found, failed="cancel", failed_form=form)


# --- the payments desk: refunds -----------------------------------------------------------------------


@dataclass
class RefundRow:
    refund: Refund
    own: bool  # asked for by the officer reading the page, who may not approve it
    form: forms.Form


def _decision_form(refund: Refund, data: Any = None) -> RefundDecisionForm:
    # One form per refund on the page: distinct ids, the same field names.
    return RefundDecisionForm(data, auto_id=f"refund-{refund.public_id}-%s")


def _refunds_page(
    request: HttpRequest, *, failed: uuid.UUID | None = None, failed_form: forms.Form | None = None
) -> HttpResponse:
    user = _user(request)
    rows = [
        RefundRow(
            refund=refund,
            own=refund.requested_by_id == user.pk,
            form=failed_form
            if failed == refund.public_id and failed_form is not None
            else _decision_form(refund),
        )
        for refund in selectors.refunds_waiting(user=user).select_related("bill", "requested_by")
    ]
    return render(request, "payments/manage_refunds.html", {"rows": rows, "form": failed_form})


@desk_page("GET")
def manage_refunds(request: HttpRequest) -> HttpResponse:
    return _refunds_page(request)


@desk_page("POST")
def manage_refund_decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    refund = selectors.access_refund(user=user, public_id=public_id)
    form = _decision_form(refund, request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == APPROVE
        try:
            services.refund_decide(actor=user, refund=refund, approve=approve, note=form.cleaned_data["note"])
        except DomainError as error:
            show_on_form(form, error)
        else:
            amount = format_baht(refund.amount_satang)
            done = (
                _("The refund of %(amount)s on bill %(reference)s has been approved.")
                if approve
                else _("The refund of %(amount)s on bill %(reference)s has been rejected.")
            )
            messages.success(request, done % {"amount": amount, "reference": refund.bill.reference})
            return redirect("payments:manage-refunds")
    return _refunds_page(request, failed=refund.public_id, failed_form=form)


# --- the payments desk: exceptions --------------------------------------------------------------------


@dataclass
class ExceptionRow:
    exception: PaymentException
    can_resolve: bool
    form: forms.Form


def _resolve_form(exception: PaymentException, data: Any = None) -> ExceptionResolveForm:
    return ExceptionResolveForm(data, auto_id=f"exception-{exception.public_id}-%s")


def _exceptions_page(
    request: HttpRequest, *, failed: uuid.UUID | None = None, failed_form: forms.Form | None = None
) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", PaymentException.State.OPEN)
    if state not in PaymentException.State.values:
        state = PaymentException.State.OPEN
    rows = []
    for exception in selectors.exceptions_for(user=user, state=state).select_related(
        "notification", "bill", "agency", "resolved_by"
    ):
        rows.append(
            ExceptionRow(
                exception=exception,
                can_resolve=exception.state == PaymentException.State.OPEN
                and exception.agency is not None
                and has_permission(user, "payments.manage", agency=exception.agency),
                form=failed_form
                if failed == exception.public_id and failed_form is not None
                else _resolve_form(exception),
            )
        )
    tabs = [
        {"code": code, "label": label, "current": code == state}
        for code, label in PaymentException.State.choices
    ]
    return render(
        request,
        "payments/manage_exceptions.html",
        {"rows": rows, "state": state, "tabs": tabs, "form": failed_form},
    )


@desk_page("GET")
def manage_exceptions(request: HttpRequest) -> HttpResponse:
    return _exceptions_page(request)


@desk_page("POST")
def manage_exception_resolve(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    exception = selectors.access_exception(user=user, public_id=public_id)
    form = _resolve_form(exception, request.POST)
    if form.is_valid():
        try:
            services.exception_resolve(actor=user, exception=exception, note=form.cleaned_data["note"])
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("The payment of %(amount)s with bank transaction %(transaction)s is marked resolved.")
                % {
                    "amount": format_baht(exception.notification.amount_satang),
                    "transaction": exception.notification.transaction_id,
                },
            )
            return redirect("payments:manage-exceptions")
    return _exceptions_page(request, failed=exception.public_id, failed_form=form)


# --- the payments desk: bank statements ---------------------------------------------------------------


@dataclass(frozen=True)
class StatementDownload:
    biller_id: str
    url: str


def simulator_statements(user: User) -> list[StatementDownload]:
    """Today's statement of each biller ID the officer may reconcile, from the demo bank (none without it)."""
    base = settings.PRACHA_BANK_SIMULATOR_URL
    if not base:
        return []
    billers = {
        biller.biller_id
        for agency in agencies_where_permitted(user, "payments.reconcile")
        if (biller := selectors.biller_for(agency)) is not None
    }
    today = local_today().isoformat()
    return [
        StatementDownload(
            biller_id=biller_id,
            url=f"{urljoin(base, 'statement.csv')}?{urlencode({'biller_id': biller_id, 'date': today})}",
        )
        for biller_id in sorted(billers)
    ]


@desk_page("GET", "POST")
def manage_statements(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    may_import = bool(agencies_where_permitted(user, "payments.reconcile"))
    form = StatementUploadForm()
    if request.method == "POST":
        if not may_import:
            raise HttpForbidden(_("You do not have permission to import bank statements."))
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            started = timezone.now()
            try:
                statement = services.statement_import(
                    actor=user, content=upload.read(), file_name=upload.name or ""
                )
            except DomainError as error:
                show_on_form(form, error)
            else:
                if statement.created_at < started:
                    messages.info(request, _("This file was imported before. Here is its report."))
                else:
                    messages.success(request, _("The statement has been imported and reconciled."))
                return redirect("payments:manage-statement", public_id=statement.public_id)
    return render(
        request,
        "payments/manage_statements.html",
        {
            "form": form,
            "may_import": may_import,
            "statements": [
                (statement, _problems(statement.counts)) for statement in selectors.statements_for(user=user)
            ],
            "downloads": simulator_statements(user) if may_import else [],
        },
    )


def _problems(counts: dict[str, int]) -> int:
    """How many lines of a statement's report need an officer: all but the matched ones."""
    return sum(int(count) for verdict, count in counts.items() if verdict != StatementLine.Verdict.MATCHED)


@dataclass(frozen=True)
class VerdictCount:
    verdict: str
    label: str
    count: int


@desk_page("GET")
def manage_statement(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    statement = selectors.access_statement(user=_user(request), public_id=public_id)
    lines = list(statement.lines.select_related("payment__bill"))
    # What needs an officer first; sorted() is stable, so each group keeps the statement's order.
    lines = sorted(lines, key=lambda line: line.verdict == StatementLine.Verdict.MATCHED)
    counts = [
        VerdictCount(verdict=value, label=str(label), count=int(statement.counts.get(value, 0)))
        for value, label in StatementLine.Verdict.choices
    ]
    return render(
        request,
        "payments/manage_statement.html",
        {
            "statement": statement,
            "lines": lines,
            "counts": counts,
            "problems": _problems(statement.counts),
        },
    )
