"""Background work for payments."""

from django_tasks import task

from pracha.payments.services import bills_expire


@task()
def expire_overdue_bills() -> int:
    """Bills past their due date expire (enqueued hourly by `serve`); a new one can then be issued."""
    return bills_expire()
