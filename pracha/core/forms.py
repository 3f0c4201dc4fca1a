"""What every app's forms share: showing a service's DomainError on the form that caused it."""

from django import forms

from pracha.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error on the form: each problem on the field it names, otherwise at the top.
    A form whose field names differ from the service's maps them in an `error_aliases` attribute."""
    if not error.fields:
        form.add_error(None, str(error.message))
        return
    aliases: dict[str, str] = getattr(form, "error_aliases", {})
    for name, messages in error.fields.items():
        target = aliases.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, str(message))
