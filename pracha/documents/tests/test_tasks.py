"""The background tasks: signing one document, and the periodic catch-up of those due."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from pracha.documents import services, tasks
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
    Document.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
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


def test_the_periodic_task_leaves_a_new_document_to_its_own_task(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        new = issued_document(agency=world["home"])
    assert tasks.sign_due_documents.enqueue().return_value == 0
    Document.objects.filter(pk=new.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    assert tasks.sign_due_documents.enqueue().return_value == 1


def test_the_periodic_task_signs_a_batch_a_run_oldest_first(
    world: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    with django_capture_on_commit_callbacks(execute=False):
        documents = [issued_document(agency=world["home"]) for _ in range(3)]
    for age, document in zip([3, 2, 1], documents, strict=True):
        Document.objects.filter(pk=document.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=age)
        )
    assert tasks.sign_due_documents.enqueue().return_value == 2
    states = dict(Document.objects.values_list("pk", "state"))
    assert [states[document.pk] for document in documents] == ["signed", "signed", "pending"]
    assert tasks.sign_due_documents.enqueue().return_value == 1
