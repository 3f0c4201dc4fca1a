"""The project's URLs plus one audited write behind the API's authentication, as the endpoints of later
apps will be: lets the tests see what the audit log records for each kind of caller."""

from typing import Any

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from pracha.accounts.api_auth import api_actor, api_auth
from pracha.audit.public import record
from pracha.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(urls_namespace="accounts-tests-api", docs_url=None)


@api.post("/write", auth=api_auth)
def audited_write(request: HttpRequest) -> dict[str, Any]:
    entry = record(actor=api_actor(request), action="tests.api_write")
    return {"entry": entry.pk}


urlpatterns = [path("api/tests/", api.urls), *project_urlpatterns]
