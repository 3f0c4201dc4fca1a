"""Human references per year, e.g. APP-2569-000123: short, readable, never handed out twice."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pracha.core.models import ReferenceCounter
from pracha.core.thai_dates import buddhist_year


def next_reference(prefix: str, *, width: int = 6) -> str:
    """The next reference for this prefix in the current Buddhist-era year (Bangkok time).

    The counter row is incremented with a single UPDATE inside the caller's transaction: the row lock
    makes concurrent callers queue, so two processes never get the same number.
    """
    year = buddhist_year(timezone.localdate())
    with transaction.atomic():
        counter_filter = ReferenceCounter.objects.filter(prefix=prefix, year=year)
        if not counter_filter.update(last_value=F("last_value") + 1):
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=1)
            except IntegrityError:
                # Another process created this year's counter first; take the next number from it.
                counter_filter.update(last_value=F("last_value") + 1)
        value = counter_filter.values_list("last_value", flat=True).get()
    return f"{prefix}-{year}-{value:0{width}d}"
