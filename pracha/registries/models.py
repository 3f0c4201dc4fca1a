from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pracha.core.models import TimeStamped


class PopulationRecord(TimeStamped):
    """A person in the population register held by the Department of Provincial Administration."""

    national_id = models.CharField(_("national ID number"), max_length=13, unique=True)
    title_th = models.CharField(_("title in Thai"), max_length=40, blank=True)
    first_name_th = models.CharField(_("first name in Thai"), max_length=100)
    last_name_th = models.CharField(_("last name in Thai"), max_length=100)
    first_name_en = models.CharField(_("first name in English"), max_length=100)
    last_name_en = models.CharField(_("last name in English"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    # The code lasered on the back of the smart ID card, e.g. JT1-2345678-90 (stored without dashes).
    laser_code = models.CharField(_("laser code"), max_length=12)
    card_expires_on = models.DateField(_("card expiry date"), null=True, blank=True)
    house_address_th = models.TextField(_("registered address"), blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("population record")
        verbose_name_plural = _("population records")

    def __str__(self) -> str:
        return f"{self.first_name_th} {self.last_name_th}"


class JuristicPersonRecord(TimeStamped):
    """A company or partnership in the register held by the Department of Business Development."""

    juristic_number = models.CharField(_("juristic person number"), max_length=13, unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    registered_on = models.DateField(_("registration date"))
    director_national_ids = models.JSONField(_("authorised directors"), default=list)

    class Meta:
        verbose_name = _("juristic person record")
        verbose_name_plural = _("juristic person records")

    def __str__(self) -> str:
        return self.name_th


class TrafficTicket(TimeStamped):
    """A traffic ticket in the register of the Royal Thai Police: who was fined, for what, and whether
    it has been paid."""

    ticket_number = models.CharField(_("ticket number"), max_length=20, unique=True)
    # Stored as written on the plate without spaces or dashes: 1กข1234.
    plate = models.CharField(_("licence plate"), max_length=20, db_index=True)
    plate_province = models.CharField(_("province of the plate"), max_length=100)
    offender_national_id = models.CharField(
        _("national ID number of the offender"), max_length=13, db_index=True
    )
    offender_name = models.CharField(_("name of the offender"), max_length=200)
    offence_th = models.CharField(_("offence in Thai"), max_length=200)
    offence_en = models.CharField(_("offence in English"), max_length=200)
    place_th = models.CharField(_("place in Thai"), max_length=200)
    place_en = models.CharField(_("place in English"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    fine_satang = models.PositiveBigIntegerField(_("fine in satang"))
    due_date = models.DateField(_("pay by"))
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("traffic ticket")
        verbose_name_plural = _("traffic tickets")

    def __str__(self) -> str:
        return self.ticket_number

    @property
    def reference(self) -> str:
        """What the audit log names the ticket by."""
        return self.ticket_number

    @property
    def offence(self) -> str:
        return self.offence_en if translation.get_language() == "en" else self.offence_th

    @property
    def place(self) -> str:
        return self.place_en if translation.get_language() == "en" else self.place_th


class LandTaxAssessment(TimeStamped):
    """One property's land and building tax for one year, from a local government's tax roll."""

    class Use(models.TextChoices):
        AGRICULTURE = "agriculture", _("Agriculture")
        RESIDENCE = "residence", _("Residence")
        COMMERCIAL = "commercial", _("Commercial and other use")
        VACANT = "vacant", _("Vacant or unused")

    assessment_number = models.CharField(_("assessment number"), max_length=20, unique=True)
    tax_year = models.PositiveIntegerField(_("tax year (Buddhist era)"))
    # A national ID for a person, a juristic person number for a business: both are 13 digits.
    owner_id_number = models.CharField(_("owner's ID number"), max_length=13, db_index=True)
    owner_name = models.CharField(_("owner's name"), max_length=200)
    property_th = models.CharField(_("property in Thai"), max_length=300)
    property_en = models.CharField(_("property in English"), max_length=300)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    appraised_value_satang = models.PositiveBigIntegerField(_("appraised value in satang"))
    tax_satang = models.PositiveBigIntegerField(_("tax in satang"))
    due_date = models.DateField(_("pay by"))
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("collecting agency"), on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)

    class Meta:
        ordering = ["-tax_year", "assessment_number"]
        verbose_name = _("land and building tax assessment")
        verbose_name_plural = _("land and building tax assessments")

    def __str__(self) -> str:
        return self.assessment_number

    @property
    def reference(self) -> str:
        """What the audit log names the assessment by."""
        return self.assessment_number

    @property
    def property_description(self) -> str:
        return self.property_en if translation.get_language() == "en" else self.property_th
