from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "pracha.registries"
    label = "registries"
