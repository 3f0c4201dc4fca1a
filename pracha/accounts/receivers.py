"""Sign-in events from Django's auth signals, recorded through the services."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pracha.accounts import selectors, services
from pracha.accounts.models import User
from pracha.core.thai_ids import normalise_id


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
