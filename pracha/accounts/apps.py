from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pracha.accounts"
    label = "accounts"

    def ready(self) -> None:
        from pracha.accounts import receivers  # noqa: F401  (connects the sign-in signal receivers)
