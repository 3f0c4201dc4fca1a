from django import forms
from django.http import HttpRequest

from pracha.accounts.models import User


class CitizenSignupForm(forms.Form):
    def signup(self, request: HttpRequest, user: User) -> None:
        pass
