"""The signed document on the case page: being signed, or not signed because every attempt failed
(which only an officer can put right, so the applicant is told there is nothing for them to do)."""

from typing import Any

from django.urls import reverse

from pracha.applications.tests.helpers import act
from pracha.applications.tests.test_documents import paid_permit
from pracha.applications.tests.test_views import client
from pracha.documents.public import Document

FAILED_HINT = (
    "We could not sign this document yet. The agency has been told and will fix it; you don’t need to do "
    "anything."
)
PENDING_HINT = (
    "The agency is signing your document. This usually takes a few minutes. Refresh this page to download it."
)


def test_the_case_page_tells_a_failed_signing_from_one_under_way(
    service_world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # The signing task, enqueued on commit, is not run: the document stays pending.
    with django_capture_on_commit_callbacks():
        application = act(service_world["reviewer"], paid_permit(service_world), "issue")
    url = reverse("applications:detail", args=[application.reference])
    html = client(service_world, "applicant").get(url).content.decode()
    assert '<strong class="govuk-tag govuk-tag--blue">Being signed</strong>' in html
    assert PENDING_HINT in html
    assert FAILED_HINT not in html

    Document.objects.filter(number=application.outcome.number).update(state=Document.State.FAILED)
    html = client(service_world, "applicant").get(url).content.decode()
    assert '<strong class="govuk-tag govuk-tag--orange">Signing failed</strong>' in html
    assert f'<p class="govuk-body">{FAILED_HINT}</p>' in html
    assert "Being signed" not in html
    assert PENDING_HINT not in html
