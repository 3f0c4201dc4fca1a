"""Pages of "my account" and the officer's person look-up. Each view fetches, validates, calls one service
and responds; rules live in services. Every page that shows personal data is never_cache: no browser or
proxy may keep a copy (a shared computer's back button must not show the last person's details)."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pracha.accounts import selectors, services
from pracha.accounts.forms import (
    PersonLookupForm,
    ProfileForm,
    TokenCreateForm,
    VerifyIdentityForm,
)
from pracha.core.errors import DomainError
from pracha.core.forms import add_domain_error
from pracha.core.http import domain_errors_as_http


@never_cache
@login_required
@require_http_methods(["GET"])
def my_account(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    return render(
        request,
        "accounts/my_account.html",
        {
            "person": user,
            "email_addresses": selectors.email_addresses_for(user=user),
            "businesses": selectors.businesses_for(user=user),
            "tokens": selectors.tokens_visible_to(user=user, active_only=True),
            "lookups": selectors.lookups_of(user=user),
            "can_look_up": bool(selectors.lookup_agencies_for(user=user)),
            "has_totp": selectors.has_totp(user=user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    form = ProfileForm(request.POST or None, user=user)
    if form.is_valid():
        try:
            services.profile_update(actor=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("accounts:my-account")
    return render(request, "accounts/edit_details.html", {"form": form, "person": user})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify_identity(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    form = VerifyIdentityForm(request.POST or None)
    if form.is_valid():
        try:
            services.identity_verify(actor=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your identity has been verified against the population register."))
            return redirect("accounts:my-account")
    return render(request, "accounts/verify_identity.html", {"form": form, "person": user})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/data_export.html")
    data = services.personal_data_export(actor=selectors.signed_in_person(request.user))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"pracha-my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
@domain_errors_as_http
def act_for(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    business = services.acting_for_set(
        actor=selectors.signed_in_person(request.user), session=request.session, business_public_id=public_id
    )
    messages.success(request, _("You are now acting for %(business)s.") % {"business": business})
    return redirect("accounts:my-account")


@login_required
@require_POST
def act_as_myself(request: HttpRequest) -> HttpResponse:
    services.acting_for_clear(actor=selectors.signed_in_person(request.user), session=request.session)
    messages.success(request, _("You are now acting for yourself."))
    return redirect("accounts:my-account")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    form = TokenCreateForm(request.POST or None, agencies=selectors.token_agencies_for(user=user))
    if form.is_valid():
        try:
            token, key = services.api_token_create(
                actor=user, name=form.cleaned_data["name"], agency_code=form.cleaned_data.get("agency", "")
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: this response is the only place the key ever appears.
            return render(request, "accounts/token_created.html", {"token": token, "key": key})
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": selectors.tokens_visible_to(user=user)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def token_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    if request.method == "GET":
        token = selectors.access_api_token(user=user, public_id=public_id)
        return render(request, "accounts/token_revoke.html", {"token": token})
    token = services.api_token_revoke(actor=user, token_public_id=public_id)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_lookup(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_person(request.user)
    agencies = selectors.lookup_agencies_for(user=user)
    if not agencies:
        raise HttpForbidden(_("You do not have permission to look up people's records."))
    form = PersonLookupForm(request.POST or None, agencies=agencies)
    if form.is_valid():
        try:
            person = services.person_lookup(
                actor=user,
                national_id=form.cleaned_data["national_id"],
                agency_code=form.cleaned_data["agency"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return render(request, "accounts/person_detail.html", {"person": person})
    return render(request, "accounts/person_lookup.html", {"form": form})
