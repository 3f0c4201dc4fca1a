from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "pracha.backoffice"
    label = "backoffice"
