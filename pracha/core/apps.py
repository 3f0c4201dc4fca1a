from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pracha.core"
    label = "core"
