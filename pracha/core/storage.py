"""Where private files live: outside the web root, with no URL; only an access-checked view reads them."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Applicants' uploads and issued documents: served only through a view that checks who is asking."""
    return FileSystemStorage(location=settings.PRACHA_PRIVATE_ROOT, base_url=None)
