"""Factories for the notifications tests. Notifications sits below accounts, so people are made through
the user model itself (get_user_model), never through the accounts app's factories."""

import datetime
from collections.abc import Iterator
from typing import Any

import factory
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from pracha.core.thai_ids import make_valid_id
from pracha.notifications.models import Contact, Message, Profile


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    national_id = factory.Sequence(lambda n: make_valid_id(f"18888{n:07d}"))
    email = factory.Sequence(lambda n: f"citizen{n}@example.test")


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    user = factory.SubFactory(PersonFactory)
    channel = "email"
    address = factory.Sequence(lambda n: f"contact{n}@example.test")
    verified_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    kind = "application_received"
    channel = "email"
    recipient = factory.SubFactory(PersonFactory)
    address = factory.Sequence(lambda n: f"message{n}@example.test")
    language = "th"
    subject = "ได้รับคำขอ APP-2569-000001 แล้ว"
    body = "เราได้รับคำขอของคุณแล้ว ข้อความนี้ส่งจาก pracha.example"
    agency_code = "home-agency"
    status = Message.Status.QUEUED
    next_attempt_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(seconds=1))


def person(*, language: str = "th", email: str | None = None, phone: str | None = None) -> Any:
    """A person reading messages in `language`, with a confirmed e-mail address and mobile number when
    given."""
    user: Any = PersonFactory()
    Profile.objects.create(user=user, language=language)
    if email is not None:
        ContactFactory(user=user, channel="email", address=email)
    if phone is not None:
        ContactFactory(user=user, channel="sms", address=phone)
    return user


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Rate limits live in the cache: every test starts with none counted (import it into a test
    module with `from pracha.notifications.tests.factories import fresh_cache` and use it autouse)."""
    cache.clear()
    yield
    cache.clear()
