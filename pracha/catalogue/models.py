"""The service catalogue: a Service and the versions of its definition.

The definition (form, documents, fees, workflow, the citizen's manual) lives in `ServiceVersion.definition`
as the validated JSON of docs/service-definitions.md, so an application can stay on the version it was
started under. The Service row copies what lists and filters need from the published version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pracha.core.models import TimeStamped


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Citizens")
    BUSINESS = "business", _("Businesses")
    OFFICER = "officer", _("Officers")
    AGENCY = "agency", _("Agencies")


class Service(TimeStamped):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="services")
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    summary_th = models.CharField(max_length=400, blank=True)
    summary_en = models.CharField(max_length=400, blank=True)
    audience = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    life_events = models.JSONField(default=list)
    published = models.ForeignKey(
        "catalogue.ServiceVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Replaced by a newer version")


class ServiceVersion(TimeStamped):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    definition = models.JSONField()
    # The SHA-256 of the canonical JSON: loading an unchanged file makes no new version.
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalogue_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"

    @property
    def audit_label(self) -> str:
        return str(self)
