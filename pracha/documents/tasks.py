"""Background work for signed documents: signing one after it is issued, and the catch-up."""

from django_tasks import task

from pracha.documents import services


@task()
def sign_document(document_id: int) -> str:
    """Render and sign one document (enqueued when the transaction that issued it commits); returns
    its state afterwards."""
    return str(services.document_sign(document_id=document_id).state)


@task()
def sign_due_documents() -> int:
    """Sign the pending documents that are due: retries after a failure, and any whose task was lost
    (enqueued every minute by `serve`)."""
    return services.documents_sign_due()
