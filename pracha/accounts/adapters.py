from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pracha.accounts import services
from pracha.core.thai_ids import normalise_id


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with the national ID as the sign-in name and our service creating the account."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": services.NATIONAL_ID_TAKEN,
        "username_password_mismatch": _("The national ID number or the password is not correct."),
        "too_many_login_attempts": _(
            "There have been too many failed attempts to sign in to this account, so signing in is paused "
            "for a while. Wait 15 minutes and try again, or reset your password."
        ),
    }

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        """Create the account through the service (validated, audited); allauth then adds the e-mail
        address and sends the verification message."""
        data = form.cleaned_data
        return services.citizen_sign_up(
            national_id=data["username"],
            email=data["email"],
            password=data["password1"],
            first_name_th=data["first_name_th"],
            last_name_th=data["last_name_th"],
            first_name_en=data["first_name_en"],
            last_name_en=data["last_name_en"],
            date_of_birth=data["date_of_birth"],
            phone=data["phone"],
        )

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """One lockout counter per national ID, whatever host name or port the request used and however
        the number was typed; allauth's default key includes the request's host, so a port change
        would start a fresh count."""
        login = normalise_id(str(credentials.get("username", "")))
        return f"national-id:{login}"
