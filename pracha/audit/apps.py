from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pracha.audit"
    label = "audit"
