from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pracha.core.models import TimeStamped


class Agency(TimeStamped):
    """An organisation of the state: ministry → department → office."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Office")
        AGENCY = "agency", _("Public organisation")
        LOCAL = "local", _("Local government")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    description_th = models.TextField(_("description in Thai"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address_th = models.TextField(_("address in Thai"), blank=True)
    address_en = models.TextField(_("address in English"), blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th

    @property
    def description(self) -> str:
        return self.description_en if translation.get_language() == "en" else self.description_th

    @property
    def address(self) -> str:
        return self.address_en if translation.get_language() == "en" else self.address_th


class Role(models.Model):
    """A named set of permissions, e.g. "reviewer" = {"applications.review"}."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    permissions = models.JSONField(_("permissions"), default=list)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th


class Membership(TimeStamped):
    """An officer's place in one agency; an officer may belong to several agencies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    roles = models.ManyToManyField(Role, blank=True, related_name="memberships")
    title = models.CharField(_("position"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.agency.code}"
