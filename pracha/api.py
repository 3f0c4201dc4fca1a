"""The JSON API, mounted at /api/v1/. Every error is {"code", "message", "fields"}."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status

from pracha.accounts.api import router as accounts_router
from pracha.applications.api import router as applications_router
from pracha.applications.api import tasks_router
from pracha.backoffice.api import router as messages_router
from pracha.catalogue.api import router as services_router
from pracha.core.errors import DomainError, InvalidInput, NotAuthenticated
from pracha.documents.api import router as documents_router
from pracha.notifications.api import router as notifications_router
from pracha.payments.api import router as payments_router

api = NinjaAPI(
    title="Pracha API",
    version="1",
    description="One API for the services of the state. Errors are {code, message, fields}.",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


# Where a value came from (body, query...) is not part of the field name a client shows.
NINJA_LOCATIONS = ("body", "query", "path", "payload", "form", "file", "header", "cookie")


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in error.errors:
        location = [str(part) for part in problem.get("loc", ()) if part not in NINJA_LOCATIONS]
        fields.setdefault(".".join(location) or "__all__", []).append(str(problem.get("msg", "")))
    return domain_error(request, InvalidInput(fields=fields))


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return domain_error(request, NotAuthenticated())


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    body = {"code": f"http_{error.status_code}", "message": str(error.message), "fields": {}}
    return api.create_response(request, body, status=error.status_code)


class HealthOut(Schema):
    status: str
    database: str
    version: str


@api.get("/health", response={200: HealthOut, 503: HealthOut}, tags=["platform"], summary="Is it up?")
def health(request: HttpRequest) -> Status[HealthOut]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Status(200, HealthOut(status="ok", database="ok", version=api.version))
    except Exception:  # any database failure means "not healthy", never a 500 page
        return Status(503, HealthOut(status="unavailable", database="unreachable", version=api.version))


api.add_router("/accounts/", accounts_router)
api.add_router("/services/", services_router)
api.add_router("/applications/", applications_router)
api.add_router("/tasks/", tasks_router)
api.add_router("/payments/", payments_router)
api.add_router("/documents/", documents_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/messages/", messages_router)
