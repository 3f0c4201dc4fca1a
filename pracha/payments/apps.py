from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "pracha.payments"
    label = "payments"

    def ready(self) -> None:
        from pracha.payments import receivers  # noqa: F401  (a fee that falls due becomes a bill)
