"""Where evidence files live and how one goes out: the photo store (disk, or object storage when
configured) and the one answer that serves a stripped photo after its permission check."""

from django.core.files.storage import storages
from django.http import FileResponse


def photo_storage():
    return storages["photos"]


def evidence_image(file, name: str) -> FileResponse:
    """A stored (stripped) JPEG as the answer to a request already checked for permission."""
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    # Evidence may be sensitive: no shared caches, and never sniffed as anything but an image.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    return response
