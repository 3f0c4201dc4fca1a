from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "pracha.portal"
    label = "portal"
