"""The e-mail address a person confirmed through allauth's link is where their messages go: no second
code is asked for it."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.test import Client
from django.urls import reverse

from pracha.accounts.models import User
from pracha.accounts.tests.factories import UserFactory
from pracha.accounts.tests.test_signup import NEW_ID, signup_data
from pracha.audit.public import AuditEntry
from pracha.notifications.public import Contact, contacts_for


@pytest.mark.django_db
def test_following_the_sign_up_confirmation_link_confirms_the_e_mail_for_messages(
    english_client: Client,
) -> None:
    english_client.post(reverse("account_signup"), signup_data(email="  Somying@Example.TEST "))
    user = User.objects.get(national_id=NEW_ID)
    assert contacts_for(user=user) == {"email": None, "sms": None}  # not before the link is followed
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", str(message.body))
    assert link is not None

    response = english_client.post(link.group(1))

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    contact = Contact.objects.get(user=user)
    assert (contact.channel, contact.address, contact.pending_address) == (
        "email",
        "somying@example.test",
        "",
    )
    assert contact.verified_at is not None
    entry = AuditEntry.objects.get(action="notifications.contact_confirmed")
    assert (entry.target_id, entry.payload) == (
        str(user.public_id),
        {"channel": "email", "address": "s***@example.test", "source": "trusted"},
    )
    # The phone given at sign-up is not confirmed: it needs its own code.
    assert contacts_for(user=user)["sms"] is None


@pytest.mark.django_db
def test_the_same_address_confirmed_again_changes_nothing() -> None:
    user = UserFactory.create()
    address = EmailAddress.objects.create(user=user, email="malee@example.test", verified=True, primary=True)

    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert list(Contact.objects.filter(user=user).values_list("channel", "address")) == [
        ("email", "malee@example.test")
    ]
    assert AuditEntry.objects.filter(action="notifications.contact_confirmed").count() == 1


@pytest.mark.django_db
def test_a_newly_confirmed_address_replaces_the_one_before() -> None:
    user = UserFactory.create()
    first = EmailAddress.objects.create(user=user, email="old@example.test", verified=True, primary=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=first)
    second = EmailAddress.objects.create(user=user, email="new@example.test", verified=True, primary=False)

    email_confirmed.send(sender=EmailAddress, request=None, email_address=second)

    assert contacts_for(user=user)["email"].address == "new@example.test"  # type: ignore[union-attr]
