"""The background tasks: signing one document, and the periodic catch-up of those due."""

import datetime
from typing import Any

from django.utils import timezone

from pracha.documents import tasks
from pracha.documents.models import Document
from pracha.documents.tests.factories import issued_document


def test_the_signing_task_signs_the_document(world: Any) -> None:
    document = issued_document(agency=world["home"])
    result = tasks.sign_document.enqueue(document.pk)
    assert result.return_value == "signed"
    document.refresh_from_db()
    assert (document.state, document.files.count()) == ("signed", 2)


def test_the_periodic_task_signs_a_document_whose_task_was_lost(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Issued, but the commit's enqueue never ran (a process killed at the wrong moment, say).
    with django_capture_on_commit_callbacks(execute=False):
        lost = issued_document(agency=world["home"])
    waiting = issued_document(agency=world["home"])
    Document.objects.filter(pk=waiting.pk).update(
        sign_attempts=1, next_attempt_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    due_again = issued_document(agency=world["home"])
    Document.objects.filter(pk=due_again.pk).update(
        sign_attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    result = tasks.sign_due_documents.enqueue()
    assert result.return_value == 2
    states = dict(Document.objects.values_list("pk", "state"))
    assert [states[lost.pk], states[waiting.pk], states[due_again.pk]] == ["signed", "pending", "signed"]
    assert tasks.sign_due_documents.enqueue().return_value == 0
