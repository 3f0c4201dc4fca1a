from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "pracha.documents"
    label = "documents"

    def ready(self) -> None:
        from pracha.documents import receivers  # noqa: F401  (a receipt issued becomes a signed document)
