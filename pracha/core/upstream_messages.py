"""Django's messages that people see on Pracha's pages but Django's own Thai catalogue leaves untranslated.

Listing them here puts them in pracha/locale (makemessages only collects strings from the project's source),
and Django reads pracha/locale before the catalogues of the apps, so Pracha's Thai wins. Nothing imports
this module; each string must stay exactly as Django writes it (Django 5.2,
django/contrib/auth/password_validation.py), or the translation no longer applies.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_VALIDATION_MESSAGES = [
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
]
