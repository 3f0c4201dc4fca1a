"""The document pages: the holder's wallet ("My documents"), a document's page with its downloads and
share links, the page a share link opens, the public verification (by number, by the PDF itself or by
the link of the QR code), the signed JSON copy, and the officers' documents desk.

Each view fetches through a selector (NotFound, shown as 404, for anything the person may not see),
validates with a form, calls one service and responds; a service's refusal is shown on the form in the
person's language. Verification is public and shows the holder's name masked unless the verifier enters
the holder's ID number, so lookups are rate-limited per client (core.ratelimit), and wrong ID numbers
per document whoever sends them: an ID number cannot be guessed one try at a time, nor from many
addresses. Pages are never_cache: they carry personal data or a status that changes.
"""

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from pracha.accounts.public import User
from pracha.agencies.public import agencies_where_permitted
from pracha.audit.public import AuditEntry, entries_about
from pracha.core import http, ratelimit
from pracha.core.errors import DomainError, NotFound, PermissionDenied, RateLimited
from pracha.core.http import View, domain_errors_as_http, private_file_response, show_on_form, signed_in_page
from pracha.core.pagination import paginated
from pracha.core.text import masked_name
from pracha.core.thai_dates import format_date
from pracha.core.working_days import local_today
from pracha.documents import selectors, services
from pracha.documents.forms import (
    CHECK_FILE,
    REPLACE,
    RETRY,
    REVOKE,
    DocumentFilterForm,
    HolderIdForm,
    ReplaceForm,
    RevokeForm,
    ShareLinkForm,
    VerifyFileForm,
    VerifyNumberForm,
)
from pracha.documents.models import Document, DocumentFile, ShareLink
from pracha.documents.rendering import LANGUAGES, verification_url
from pracha.documents.selectors import STATUS_LABELS, Verification

PAGE_SIZE = 25
# Lookups per client (an IPv4 address, an IPv6 /64) in each window. Enough for a counter checking a
# queue of documents, far too few to find a 13-digit ID number by trying.
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 10 * 60
# Wrong holder ID numbers per document in each window, whoever sends them: guessing from many
# addresses at once gets no further than from one.
HOLDER_ID_LIMIT = 10
HOLDER_ID_WINDOW_SECONDS = 24 * 60 * 60
REVOKE_PERMISSION = "documents.revoke"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _may_revoke(user: Any) -> bool:
    return bool(agencies_where_permitted(user, REVOKE_PERMISSION))


def desk_page(*methods: str) -> Callable[[View], View]:
    """The documents desk: officers who may revoke documents at some agency (else 403)."""
    return http.desk_page(
        *methods,
        allowed=_may_revoke,
        refusal=gettext_lazy("Only officers who may revoke documents can use the documents desk."),
    )


def no_referrer(response: HttpResponseBase) -> HttpResponseBase:
    """A share link's token is in its address: no page it opens may pass it on to another site."""
    response["Referrer-Policy"] = "no-referrer"
    return response


def limit_verifications(request: HttpRequest) -> None:
    """Count one lookup for the client; RateLimited beyond VERIFY_LIMIT in the window."""
    key = f"documents:verify:{ratelimit.client_key(request)}"
    if not ratelimit.hit(key, limit=VERIFY_LIMIT, window_seconds=VERIFY_WINDOW_SECONDS):
        raise RateLimited(
            _("You have checked many documents in a short time. Please wait 10 minutes and try again.")
        )


HOLDER_ID_LIMITED = gettext_lazy(
    "Too many wrong ID numbers have been entered for this document, so the ID number you entered was "
    "not checked. Please try again after 24 hours."
)


def limit_holder_ids(verification: Verification, holder_id_number: str) -> None:
    """Count a wrong holder ID number against its document. Once HOLDER_ID_LIMIT wrong ones were sent
    in the window, RateLimited for any ID number: the caller then withholds the answer (the right
    number too, or guessing would go on)."""
    document = verification.document
    if document is None or not holder_id_number:
        return
    key = f"documents:holder-id:{document.pk}"
    if ratelimit.hits(key, window_seconds=HOLDER_ID_WINDOW_SECONDS) >= HOLDER_ID_LIMIT:
        raise RateLimited(HOLDER_ID_LIMITED)
    if not verification.holder_confirmed:
        ratelimit.hit(key, limit=HOLDER_ID_LIMIT, window_seconds=HOLDER_ID_WINDOW_SECONDS)


def holder_id_withheld(verification: Verification) -> Verification:
    """The verification as if no ID number had been entered: the name masked."""
    document = verification.document
    return dataclasses.replace(
        verification,
        holder_name=masked_name(document.holder_name) if document is not None else "",
        holder_confirmed=False,
    )


def _too_many(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = render(request, "documents/rate_limited.html", {"message": str(error.message)}, status=429)
    response["Retry-After"] = str(VERIFY_WINDOW_SECONDS)
    return response


def _result(
    request: HttpRequest,
    verification: Verification,
    *,
    holder_form: forms.Form | None = None,
    id_entered: bool = False,
    id_refused: str = "",
    status: int = 200,
) -> HttpResponse:
    """The result page; `id_refused` says why an ID number entered was not checked."""
    document = verification.document
    return render(
        request,
        "documents/result.html",
        {
            "verification": verification,
            "verdict": selectors.verdict(verification),
            "document": document,
            "title": selectors.title_of(document) if document else "",
            "status_label": STATUS_LABELS.get(verification.status, ""),
            "replacement": selectors.replacement_of(document) if document else None,
            "signed_json_url": selectors.signed_json_url(document) if document else "",
            "holder_form": holder_form if holder_form is not None else HolderIdForm(),
            # An ID number was entered and did not match: the name stays masked, and the page says so.
            "id_mismatch": id_entered and not id_refused and not verification.holder_confirmed,
            "id_refused": id_refused,
            "form": holder_form if holder_form is not None and holder_form.errors else None,
        },
        status=status,
    )


def _checked_result(
    request: HttpRequest, verification: Verification, *, holder_id: str, status: int = 200
) -> HttpResponse:
    """The result of a lookup with the holder's ID number the verifier entered, if any; 429 with the
    name masked once the document had too many wrong ones."""
    try:
        limit_holder_ids(verification, holder_id)
    except RateLimited as error:
        withheld = holder_id_withheld(verification)
        return _result(request, withheld, id_entered=True, id_refused=str(error.message), status=429)
    return _result(request, verification, id_entered=bool(holder_id), status=status)


# --- downloads ----------------------------------------------------------------------------------------


def pdf_response(document: Document, language: str) -> FileResponse:
    """A signed PDF as an attachment named after the document, streamed, never cached on the way."""
    if language not in LANGUAGES or document.state != Document.State.SIGNED:
        raise NotFound(selectors.NO_DOCUMENT)
    file = selectors.document_file(document=document, language=language)
    if file is None:
        raise NotFound(selectors.NO_DOCUMENT)
    return private_file_response(
        file.stored_name, filename=f"{document.number}-{language}.pdf", content_type="application/pdf"
    )


def _languages(files: list[DocumentFile]) -> list[str]:
    """The languages a document can be downloaded in, Thai first."""
    present = {file.language for file in files}
    return [language for language in LANGUAGES if language in present]


# --- the holder's side --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    """A document in a list: in the reader's language, with its status in words."""

    document: Document
    title: str
    status: str
    status_label: str
    languages: list[str] = field(default_factory=list)  # the holder's downloads, once signed


@signed_in_page("GET")
def wallet(request: HttpRequest) -> HttpResponse:
    rows = [
        DocumentRow(
            document=entry.document,
            title=selectors.title_of(entry.document),
            status=entry.status,
            status_label=str(STATUS_LABELS[entry.status]),
            languages=_languages(entry.files) if entry.document.state == Document.State.SIGNED else [],
        )
        for entry in selectors.wallet_documents(user=_user(request))
    ]
    return render(request, "documents/wallet.html", {"rows": rows})


@dataclass(frozen=True)
class ShareRow:
    link: ShareLink
    url: str
    state: str  # "active", "expired" or "revoked"


def share_url(link: ShareLink) -> str:
    return settings.PRACHA_SITE_URL + reverse("documents:shared", args=[link.token])


def _share_rows(document: Document) -> list[ShareRow]:
    now = timezone.now()
    rows = []
    for link in document.share_links.all():
        if link.revoked_at is not None:
            state = "revoked"
        elif selectors.share_link_active(link, now=now):
            state = "active"
        else:
            state = "expired"
        rows.append(ShareRow(link=link, url=share_url(link), state=state))
    # Active links first, newest first within each group (sorted() is stable).
    return sorted(rows, key=lambda row: row.state != "active")


def _detail_page(
    request: HttpRequest, document: Document, *, share_form: forms.Form | None = None
) -> HttpResponse:
    status = selectors.document_status(document)
    files = list(document.files.all())
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "title": selectors.title_of(document),
            "status": status,
            "status_label": STATUS_LABELS[status],
            "languages": _languages(files) if document.state == Document.State.SIGNED else [],
            "verification_url": verification_url(document),
            "signed_json_url": selectors.signed_json_url(document),
            "replacement": selectors.replacement_of(document),
            "share_rows": _share_rows(document),
            "may_share": document.state == Document.State.SIGNED and document.revoked_at is None,
            "share_form": share_form if share_form is not None else ShareLinkForm(),
            # The form a refused POST came from: the page's error summary and title show its errors.
            "form": share_form,
        },
    )


@signed_in_page("GET")
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _detail_page(request, selectors.access_document(user=_user(request), public_id=public_id))


@login_required  # its own Cache-Control in pdf_response: never_cache would add to it
@require_GET
@domain_errors_as_http
def download(request: HttpRequest, public_id: uuid.UUID, language: str) -> HttpResponseBase:
    return pdf_response(selectors.access_document(user=_user(request), public_id=public_id), language)


@signed_in_page("POST")
def share_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    document = selectors.access_document(user=user, public_id=public_id)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            link = services.share_link_create(actor=user, document=document, days=form.cleaned_data["days"])
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("A share link has been made. It works until %(date)s. Copy it from the list below.")
                % {"date": format_date(link.expires_at)},
            )
            return redirect(reverse("documents:detail", args=[document.public_id]) + "#share-links")
    return _detail_page(request, document, share_form=form)


@signed_in_page("POST")
def share_revoke(request: HttpRequest, public_id: uuid.UUID, share: uuid.UUID) -> HttpResponse:
    user = _user(request)
    document = selectors.access_document(user=user, public_id=public_id)
    link = document.share_links.filter(public_id=share).first()
    if link is None:
        raise NotFound(_("No share link with that address."))
    services.share_link_revoke(actor=user, share_link=link)
    messages.success(request, _("The share link has been revoked. It no longer works."))
    return redirect(reverse("documents:detail", args=[document.public_id]) + "#share-links")


# --- what a share link opens --------------------------------------------------------------------------


def _gone(request: HttpRequest, error: NotFound) -> HttpResponseBase:
    return no_referrer(
        render(request, "documents/shared_gone.html", {"message": str(error.message)}, status=404)
    )


@never_cache
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        link, document = selectors.shared_document(token=token)
    except NotFound as error:
        return _gone(request, error)
    # The holder chose to show this document: the page is the verification result with the full name.
    verification = selectors.verify_public_id(
        public_id=document.public_id, holder_id_number=document.holder_id_number
    )
    response = render(
        request,
        "documents/shared.html",
        {
            "link": link,
            "token": token,
            "verification": verification,
            "verdict": selectors.verdict(verification),
            "document": document,
            "title": selectors.title_of(document),
            "status_label": STATUS_LABELS[verification.status],
            "replacement": selectors.replacement_of(document),
            "signed_json_url": selectors.signed_json_url(document),
            "languages": _languages(list(document.files.all())) if _hands_out_file(document) else [],
        },
    )
    return no_referrer(response)


def _hands_out_file(document: Document) -> bool:
    """A share link hands out the PDF of a signed document until the document is revoked: then its page
    still opens, to say so, but the file no longer travels on."""
    return document.state == Document.State.SIGNED and document.revoked_at is None


@require_GET
def shared_download(request: HttpRequest, token: str, language: str) -> HttpResponseBase:
    try:
        _link, document = selectors.shared_document(token=token)
        if document.revoked_at is not None:
            raise NotFound(_("This document has been revoked, so it can no longer be downloaded."))
        return no_referrer(pdf_response(document, language))
    except NotFound as error:
        return _gone(request, error)


# --- public verification ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Two forms: a document number, or the PDF itself; each with the holder's ID number, optional."""
    number_form = VerifyNumberForm(prefix="number")
    file_form = VerifyFileForm(prefix="file")
    posted: forms.Form | None = None
    if request.method == "POST":
        if request.POST.get("check") == CHECK_FILE:
            file_form = VerifyFileForm(request.POST, request.FILES, prefix="file")
            posted = file_form
        else:
            number_form = VerifyNumberForm(request.POST, prefix="number")
            posted = number_form
        if posted.is_valid():
            holder_id = posted.cleaned_data["holder_id_number"]
            try:
                limit_verifications(request)
            except RateLimited as error:
                return _too_many(request, error)
            if posted is file_form:
                verification = selectors.verify_file(
                    data=file_form.cleaned_data["file"], holder_id_number=holder_id
                )
            else:
                verification = selectors.verify_number(
                    number=number_form.cleaned_data["number"], holder_id_number=holder_id
                )
            return _checked_result(request, verification, holder_id=holder_id)
    return render(
        request,
        "documents/verify.html",
        # The form sent, if refused: the page's error summary and title show its errors.
        {"number_form": number_form, "file_form": file_form, "form": posted},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """What a document's QR code opens; the holder's ID number, sent with POST, shows the full name."""
    if request.method == "GET":
        # Not counted: the address is not guessable, and an office scanning a queue of QR codes is fine.
        verification = selectors.verify_public_id(public_id=public_id)
        return _result(request, verification, status=404 if verification.document is None else 200)
    form = HolderIdForm(request.POST)
    if not form.is_valid():
        verification = selectors.verify_public_id(public_id=public_id)
        return _result(
            request, verification, holder_form=form, status=404 if verification.document is None else 200
        )
    try:
        limit_verifications(request)
    except RateLimited as error:
        return _too_many(request, error)
    holder_id = form.cleaned_data["holder_id_number"]
    verification = selectors.verify_public_id(public_id=public_id, holder_id_number=holder_id)
    # A fresh form: the ID number typed is never shown back on the page.
    return _checked_result(
        request, verification, holder_id=holder_id, status=404 if verification.document is None else 200
    )


@require_GET
@domain_errors_as_http
def verify_json(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The signed JSON copy: JWS compact serialisation, with the agency's certificate chain in x5c."""
    document = selectors.verify_public_id(public_id=public_id).document
    token = selectors.signed_json_of(document) if document is not None else ""
    if not token:  # no such document, or not signed yet
        raise NotFound(selectors.NO_DOCUMENT)
    response = HttpResponse(token, content_type="application/jose")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the documents desk -------------------------------------------------------------------------------


@desk_page("GET")
def manage(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET)
    form.is_valid()  # an unknown status is shown as an error and that filter ignored
    filters = {
        "q": (form.cleaned_data.get("q") or "").strip(),
        "state": form.cleaned_data.get("state") or "",
    }
    documents = selectors.officer_documents(user=_user(request), query=filters["q"], state=filters["state"])
    context = paginated(request, documents, per_page=PAGE_SIZE, filters=filters)
    today = local_today()
    rows = [
        DocumentRow(
            document=document,
            title=selectors.title_of(document),
            status=(status := selectors.document_status(document, today=today)),
            status_label=str(STATUS_LABELS[status]),
        )
        for document in context["page"].object_list
    ]
    return render(
        request,
        "documents/manage.html",
        {
            "form": form,
            **context,
            "rows": rows,
            "filtered": any(filters.values()),
            # Documents that stay unsigned until an officer signs them again, from the document's page.
            "failed_count": selectors.officer_documents(user=_user(request), state=selectors.FAILED).count(),
            "failed_state": selectors.FAILED,
        },
    )


# The audit actions of a document, as the desk's history names them.
HISTORY_LABELS = {
    "documents.document_issue": pgettext_lazy("document history", "Issued"),
    "documents.document_sign": gettext_lazy("Signed"),
    "documents.document_sign_failed": gettext_lazy("Signing failed"),
    "documents.document_sign_retry": gettext_lazy("Signing started again"),
    "documents.document_revoke": gettext_lazy("Revoked"),
    "documents.document_replace": gettext_lazy("Issued as a replacement"),
}


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    label: str


def _manage_page(
    request: HttpRequest, document: Document, *, failed: str = "", failed_form: forms.Form | None = None
) -> HttpResponse:
    """The officers' page of a document; `failed` names the form a refused POST came from ("revoke",
    "replace"), which is shown bound, with its errors."""

    def pick(key: str, default: forms.Form) -> forms.Form:
        return failed_form if failed == key and failed_form is not None else default

    status = selectors.document_status(document)
    files = list(document.files.all())
    history = [
        HistoryRow(entry=entry, label=str(HISTORY_LABELS.get(entry.action, entry.action)))
        for entry in entries_about(target_type="documents.document", target_id=str(document.public_id))
    ]
    live = document.revoked_at is None
    return render(
        request,
        "documents/manage_document.html",
        {
            "document": document,
            "title": selectors.title_of(document),
            "status": status,
            "status_label": STATUS_LABELS[status],
            "files": files,
            "verification_url": verification_url(document),
            "signed_json_url": selectors.signed_json_url(document),
            "replacement": selectors.replacement_of(document),
            "history": history,
            "show_revoke": live,
            "show_replace": live and document.state == Document.State.SIGNED,
            "show_retry": document.state == Document.State.FAILED,
            "revoke_form": pick(REVOKE, RevokeForm(prefix=REVOKE)),
            "replace_form": pick(
                REPLACE, ReplaceForm(prefix=REPLACE, initial={"holder_name": document.holder_name})
            ),
            "revoke_action": REVOKE,
            "replace_action": REPLACE,
            "retry_action": RETRY,
            "form": failed_form,
        },
    )


def _done(request: HttpRequest, document: Document, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("documents:manage_document", public_id=document.public_id)


@desk_page("GET", "POST")
def manage_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    document = selectors.officer_document(user=user, public_id=public_id)
    if request.method == "GET":
        return _manage_page(request, document)
    action = request.POST.get("action", "")
    if action == REVOKE:
        form: forms.Form = RevokeForm(request.POST, prefix=REVOKE)
        if form.is_valid():
            try:
                services.document_revoke(
                    actor=user,
                    document=document,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                show_on_form(form, error)
            else:
                return _done(
                    request,
                    document,
                    _("Document %(number)s has been revoked.") % {"number": document.number},
                )
    elif action == REPLACE:
        form = ReplaceForm(request.POST, prefix=REPLACE)
        if form.is_valid():
            try:
                replacement = services.document_replace(
                    actor=user,
                    document=document,
                    holder_name=form.cleaned_data["holder_name"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                show_on_form(form, error)
            else:
                done = _("Document %(new)s replaces %(old)s, which is now revoked. It is being signed.")
                return _done(request, replacement, done % {"new": replacement.number, "old": document.number})
    elif action == RETRY:
        try:
            services.document_sign_retry(actor=user, document=document)
        except DomainError as error:
            if isinstance(error, NotFound | PermissionDenied):
                raise
            messages.error(request, str(error.message))
            return redirect("documents:manage_document", public_id=document.public_id)
        return _done(
            request, document, _("Document %(number)s is being signed again.") % {"number": document.number}
        )
    else:
        raise BadRequest("unknown action")  # the friendly 400 page: no form of this page sends it
    # A refused form: the document as it is now, the form with its errors.
    document = selectors.officer_document(user=user, public_id=public_id)
    return _manage_page(request, document, failed=action, failed_form=form)
