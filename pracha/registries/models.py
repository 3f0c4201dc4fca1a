from django.db import models
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
