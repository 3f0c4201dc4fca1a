"""Applications for a service, from draft to outcome.

The rules (states, who may act, fees) come from the service version the application was started under;
`state`, `holder`, `holding_agency` and `acting_roles` copy what the queues and lists need to filter on.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pracha.core.models import PublicKeyed, TimeStamped


class Holder(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGENCY = "agency", _("With the agency")
    APPLICANT = "applicant", _("With you")
    CONSENTER = "consenter", _("Waiting for consent")
    PAYMENT = "payment", _("Awaiting payment")
    DONE = "done", _("Closed")


class Party(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    CONSENTER = "consenter", _("Second party")
    OFFICER = "officer", _("Officer")
    SYSTEM = "system", _("System")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> "ApplicationQuerySet":
        return self.exclude(holder=Holder.DRAFT)


class Application(PublicKeyed, TimeStamped):
    # Drafts have no reference: one is handed out on submission, so the numbers have no gaps for drafts.
    reference = models.CharField(max_length=24, unique=True, null=True, blank=True)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="applications")
    service_version = models.ForeignKey(
        "catalogue.ServiceVersion", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    on_behalf_of = models.ForeignKey(
        "accounts.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # The second party who must consent (e.g. a house owner), found from the answer the service names.
    consenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    renewal_of = models.ForeignKey(
        "applications.Outcome", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    answers = models.JSONField(default=dict)

    state = models.CharField(max_length=40, default="draft", db_index=True)
    holder = models.CharField(max_length=12, choices=Holder.choices, default=Holder.DRAFT, db_index=True)
    # The agency the routing chose (or the owning agency); the agency holding the case now.
    handling_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holding_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # ",reviewer,approver," — the roles that may act now; delimited so one LIKE finds a role on any database.
    acting_roles = models.CharField(max_length=300, blank=True, default="")
    escalated_role = models.CharField(max_length=60, blank=True, default="")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=80, blank=True, default="")
    due_date = models.DateField(null=True, blank=True)  # the legal time limit for the whole service
    state_entered_at = models.DateTimeField(null=True, blank=True)
    state_due_date = models.DateField(null=True, blank=True)  # the SLA of the current state
    decided_at = models.DateTimeField(null=True, blank=True)

    # What an officer asked the applicant to correct: {"fields": [...], "documents": [...], "note": "..."}.
    corrections = models.JSONField(default=dict, blank=True)
    fee_lines = models.JSONField(default=list, blank=True)
    fee_total_satang = models.PositiveBigIntegerField(default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["holding_agency", "holder", "state_due_date"])]

    def __str__(self) -> str:
        return self.reference or f"draft {self.public_id}"

    @property
    def audit_label(self) -> str:
        return str(self)


class ApplicationDocument(PublicKeyed, TimeStamped):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    requirement = models.CharField(max_length=60)
    # The name in private_storage(); never the uploaded file name, which may carry personal data or tricks.
    stored_name = models.CharField(max_length=200)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A replaced file is kept (nothing lost), but only the current one per requirement counts.
    replaced = models.BooleanField(default=False)

    class Meta:
        ordering = ["requirement", "created_at"]

    def __str__(self) -> str:
        return f"{self.application} {self.requirement}"

    @property
    def audit_label(self) -> str:
        return str(self)


class ApplicationEvent(models.Model):
    """One line of the timeline: what happened, when, and which agency (or the applicant) did it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True, default="")
    to_state = models.CharField(max_length=40, blank=True, default="")
    party = models.CharField(max_length=12, choices=Party.choices)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.action}"


class Message(PublicKeyed, TimeStamped):
    """The thread between applicant and agency; internal notes are officers-only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    party = models.CharField(max_length=12, choices=Party.choices)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} message"


class FeePayment(TimeStamped):
    """A payment received for an application's fee, from any channel. `payment_id` is unique, so the
    same payment announced twice is applied once."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    payment_id = models.CharField(max_length=100, unique=True)
    amount_satang = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=20)
    receipt_number = models.CharField(max_length=40, blank=True, default="")

    def __str__(self) -> str:
        return self.payment_id


class Outcome(PublicKeyed, TimeStamped):
    """What an approval produces: a licence, certificate, registration or copy, for the documents issue to
    render and sign."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="outcome")
    number = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=20)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outcomes")
    holder_business = models.ForeignKey(
        "accounts.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    conditions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return self.number
