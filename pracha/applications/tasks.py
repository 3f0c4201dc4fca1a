"""Background work for applications."""

from django_tasks import task

from pracha.applications.services import escalate_overdue, settle_paid_applications


@task()
def escalate_overdue_cases() -> int:
    """Apply the escalation rules to cases past their SLA (enqueued every 15 minutes by `serve`)."""
    return escalate_overdue()


@task()
def settle_paid_cases() -> int:
    """Apply paid bills whose settlement was lost, and bill fees whose FeeDue was lost (every minute)."""
    return settle_paid_applications()
