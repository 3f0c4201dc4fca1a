"""Sign-in events from Django's auth signals, recorded through the services; an e-mail address allauth
confirmed becomes the person's confirmed e-mail for messages."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pracha.accounts import selectors, services
from pracha.accounts.models import User
from pracha.core.thai_ids import normalise_id
from pracha.notifications import public as notifications


@receiver(user_logged_in)
def record_sign_in(sender: Any, user: User, **kwargs: Any) -> None:
    services.sign_in_record(user=user, succeeded=True)


@receiver(user_logged_out)
def record_sign_out(sender: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        services.sign_out_record(user=user)


@receiver(user_login_failed)
def record_failed_sign_in(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Only attempts on an existing account are recorded: typos of unknown numbers name nobody.
    user = selectors.user_by_national_id(national_id=normalise_id(str(credentials.get("username", ""))))
    if user is not None:
        services.sign_in_record(user=user, succeeded=False)


@receiver(email_confirmed)
def confirm_email_contact(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    """The link allauth sent proved the address is theirs: messages go there without another code."""
    notifications.contact_confirmed(user=email_address.user, channel="email", address=email_address.email)
