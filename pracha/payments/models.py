"""Bills, the payments that settle them, receipts, refunds, and what the bank tells us.

Money is integer satang everywhere. A bill is paid at most once: the payment is one-to-one with it, so
the database itself refuses a second one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pracha.core.models import PublicKeyed, TimeStamped


class Bill(PublicKeyed, TimeStamped):
    """Something the state asks to be paid: an application fee, a traffic fine, a land and building tax."""

    class Kind(models.TextChoices):
        APPLICATION_FEE = "application_fee", _("Application fee")
        TRAFFIC_FINE = "traffic_fine", _("Traffic fine")
        LAND_TAX = "land_tax", _("Land and building tax")

    class State(models.TextChoices):
        CREATED = "created", _("Not yet paid")
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")

    PAYABLE_STATES = (State.CREATED, State.PENDING)
    SETTLED_STATES = (State.PAID, State.PARTIALLY_REFUNDED, State.REFUNDED)

    reference = models.CharField(_("bill number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the bill pays for: APP-2569-000123, a ticket number, a tax assessment number.
    subject_reference = models.CharField(_("paid for"), max_length=40)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    # A national ID or a juristic person number; the payer need not have an account.
    payer_id_number = models.CharField(_("payer's ID number"), max_length=13, db_index=True)
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payer_business = models.ForeignKey(
        "accounts.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description_th = models.CharField(_("description in Thai"), max_length=300)
    description_en = models.CharField(_("description in English"), max_length=300)
    # [{"code", "name_th", "name_en", "amount_satang"}]; the amounts add up to amount_satang.
    lines = models.JSONField(_("items"), default=list)
    amount_satang = models.PositiveBigIntegerField(_("amount in satang"))
    due_date = models.DateField(_("pay by"))
    # The bill-payment references the bank quotes back: Reference 1 is unique, digits only.
    ref1 = models.CharField(_("reference 1"), max_length=20, unique=True)
    ref2 = models.CharField(_("reference 2"), max_length=20)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.CREATED)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_satang = models.PositiveBigIntegerField(_("refunded in satang"), default=0)
    # A renewed bill (after the first expired) points at the one it replaces.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            # One live bill per thing to pay: expired and cancelled bills make way for a new one.
            models.UniqueConstraint(
                fields=["kind", "subject_reference"],
                condition=~Q(state__in=["expired", "cancelled"]),
                name="one_live_bill_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def description(self) -> str:
        return self.description_en if translation.get_language() == "en" else self.description_th

    @property
    def is_payable(self) -> bool:
        return self.state in self.PAYABLE_STATES


class Payment(PublicKeyed, TimeStamped):
    """Money received for a bill, online or at a counter. One per bill, never more."""

    class Channel(models.TextChoices):
        PROMPTPAY = "promptpay", _("PromptPay")
        COUNTER = "counter", _("Cash at the counter")

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="payment")
    amount_satang = models.PositiveBigIntegerField(_("amount in satang"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # The bank's own id for the transfer; empty for cash. Unique, so a retried callback is recognised.
    bank_transaction_id = models.CharField(
        _("bank transaction"), max_length=64, null=True, blank=True, unique=True
    )
    payer_bank = models.CharField(_("paying bank"), max_length=40, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.amount_satang}"


class Receipt(PublicKeyed, TimeStamped):
    """The e-receipt for a payment: numbered in the agency's series for the Buddhist-era year."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(_("receipt number"), max_length=60, unique=True)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_id_number = models.CharField(_("payer's ID number"), max_length=13)
    lines = models.JSONField(_("items"), default=list)
    amount_satang = models.PositiveBigIntegerField(_("amount in satang"))
    amount_in_words = models.CharField(_("amount in words"), max_length=300)
    channel = models.CharField(_("channel"), max_length=20, choices=Payment.Channel.choices)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.number


class BankNotification(TimeStamped):
    """Every payment notification whose signature checked out, exactly as the bank sent it. The nonce is
    unique per gateway, so a replayed request is recognised and changes nothing."""

    class Outcome(models.TextChoices):
        PAID = "paid", _("Paid the bill")
        DUPLICATE = "duplicate", _("Already recorded")
        EXCEPTION = "exception", _("Held for an officer")

    gateway = models.CharField(_("gateway"), max_length=40)
    nonce = models.CharField(_("nonce"), max_length=64)
    transaction_id = models.CharField(_("bank transaction"), max_length=64)
    biller_id = models.CharField(_("biller ID"), max_length=15)
    ref1 = models.CharField(_("reference 1"), max_length=40)
    ref2 = models.CharField(_("reference 2"), max_length=40, blank=True)
    amount_satang = models.PositiveBigIntegerField(_("amount in satang"))
    paid_at = models.DateTimeField(_("paid at"))
    body = models.TextField(_("message as received"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bank notification")
        verbose_name_plural = _("bank notifications")
        constraints = [models.UniqueConstraint(fields=["gateway", "nonce"], name="unique_notification_nonce")]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.transaction_id}"


class PaymentException(PublicKeyed, TimeStamped):
    """Money the bank says it received that could not be applied to a bill: kept for an officer."""

    class Reason(models.TextChoices):
        UNKNOWN_REFERENCE = "unknown_reference", _("No bill has this reference")
        WRONG_BILLER = "wrong_biller", _("Paid to another agency's biller ID")
        WRONG_REFERENCE = "wrong_reference", _("Reference 2 does not match the bill")
        WRONG_AMOUNT = "wrong_amount", _("The amount differs from the bill")
        NOT_PAYABLE = "not_payable", _("The bill was already paid, cancelled or expired")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    notification = models.OneToOneField(BankNotification, on_delete=models.PROTECT, related_name="exception")
    # The bank transaction, copied from the notification: unique, so the bank delivering the same
    # transaction again (a new nonce) never opens a second exception, even at the same moment.
    gateway = models.CharField(_("gateway"), max_length=40)
    transaction_id = models.CharField(_("bank transaction"), max_length=64)
    # Whose queue it is in: the bill's agency when a bill was found (an office billing through its
    # parent's biller ID sees its own), otherwise the agency the biller ID belongs to.
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="exceptions")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.OPEN)
    resolution_note = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment exception")
        verbose_name_plural = _("payment exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "transaction_id"], name="one_exception_per_bank_transaction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.notification_id}"


class Refund(PublicKeyed, TimeStamped):
    """Money paid back on a bill: requested by one officer, approved or rejected by another."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="refunds")
    amount_satang = models.PositiveBigIntegerField(_("amount in satang"))
    reason = models.TextField(_("reason"))
    # The form's key: pressing "request" twice gives one refund.
    idempotency_key = models.CharField(max_length=64, unique=True)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.bill_id}: {self.amount_satang}"


class StatementImport(PublicKeyed, TimeStamped):
    """A bank's end-of-day statement for one biller ID, matched line by line against our payments."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    biller_id = models.CharField(_("biller ID"), max_length=15)
    statement_date = models.DateField(_("statement date"))
    # The same file imported twice gives the first report back instead of a second one.
    file_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("file name"), max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # {"matched": n, "missing": n, "not_in_statement": n, "duplicate": n, "mismatched": n}
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-statement_date", "-created_at"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return f"{self.biller_id} {self.statement_date}"


class StatementLine(models.Model):
    """One line of an imported statement, or one of our payments the statement left out."""

    class Verdict(models.TextChoices):
        MATCHED = "matched", _("Matched")
        MISSING = "missing", _("Not recorded in Pracha")
        NOT_IN_STATEMENT = "not_in_statement", _("Recorded in Pracha, missing from the statement")
        DUPLICATE = "duplicate", _("Listed more than once")
        MISMATCHED = "mismatched", _("Amount or references differ")

    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(null=True, blank=True)  # empty for NOT_IN_STATEMENT
    transaction_id = models.CharField(max_length=64)
    ref1 = models.CharField(max_length=40)
    ref2 = models.CharField(max_length=40, blank=True)
    amount_satang = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField(null=True, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)

    class Meta:
        ordering = ["statement", "line_number", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.line_number} {self.verdict}"
