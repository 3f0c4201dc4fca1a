"""Template filters of the catalogue: a service's name in the active language, and readable names of the
codes used for browsing."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from pracha.catalogue import forms
from pracha.catalogue.models import Service
from pracha.catalogue.selectors import Manual

register = template.Library()


def _english() -> bool:
    return (translation.get_language() or "th").startswith("en")


@register.filter
def service_name(service: Service) -> str:
    return service.name_en if _english() else service.name_th


@register.filter
def service_summary(service: Service) -> str:
    return service.summary_en if _english() else service.summary_th


@register.filter
def category_label(code: str) -> str:
    return forms.category_label(code)


@register.filter
def life_event_label(code: str) -> str:
    return forms.life_event_label(code)


@register.filter
def audience_label(code: str) -> str:
    return forms.audience_label(code)


@register.filter
def kilobytes(value: int) -> str:
    """A size limit given in KB, written as people read sizes: 5 MB, 500 KB."""
    return str(filesizeformat(value * 1024))


@register.filter
def agency_name(code: str, manual: Manual) -> str:
    """The name of an agency the manual names (a step's own agency), or its code if it has gone."""
    agency = manual.agencies.get(code)
    return agency.name if agency is not None else code
