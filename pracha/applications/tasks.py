"""Background work for applications."""

from django_tasks import task

from pracha.applications.services import escalate_overdue, settle_paid_applications


@task()
def escalate_overdue_cases() -> int:
    """Apply the escalation rules to cases past their SLA (enqueued every 15 minutes by `serve`)."""
    return escalate_overdue()


@task()
def settle_paid_cases() -> int:
    """Move on cases whose fee is recorded as paid but still wait for payment (enqueued every minute)."""
    return settle_paid_applications()
