from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "pracha.applications"
    label = "applications"

    def ready(self) -> None:
        from pracha.applications import receivers  # noqa: F401  (subscribes to payment events)
