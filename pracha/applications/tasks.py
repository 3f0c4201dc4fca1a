"""Background work for applications."""

from django_tasks import task

from pracha.applications.services import escalate_overdue


@task()
def escalate_overdue_cases() -> int:
    """Apply the escalation rules to cases past their SLA (enqueued every 15 minutes by `serve`)."""
    return escalate_overdue()
