from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pracha.accounts"
    label = "accounts"
