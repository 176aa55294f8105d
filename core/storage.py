"""Where evidence files live and how one goes out: the photo store (disk, or a private S3-compatible
bucket when configured, see core.object_storage) and the one answer that serves a stored file after
its permission check."""

import logging

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)

# How long a phone (or a browser) should wait before asking again while the store does not answer.
RETRY_AFTER_SECONDS = 30


class ObjectStoreUnavailable(APIException):
    """The photo store did not answer, or refused us: nothing was stored, and asking again later is
    right. An API view answers 503 with Retry-After, which the phone's outbox waits out and retries."""

    status_code = 503
    default_code = "store_unavailable"
    default_detail = _("Photos cannot be stored or read right now. Try again in a minute.")
    wait = RETRY_AFTER_SECONDS


class PhotoStorage(LazyObject):
    """storages["photos"], looked up when first used rather than when a model field is declared, so
    that the file fields follow STORAGES when it changes (as Django's own default_storage does)."""

    def _setup(self) -> None:
        self._wrapped = storages["photos"]


_photos = PhotoStorage()


@receiver(setting_changed)
def _forget_photo_storage(*, setting, **kwargs) -> None:
    if setting == "STORAGES":
        _photos._wrapped = empty


def photo_storage() -> Storage:
    return _photos


def stored_file_response(file, **options) -> HttpResponse:
    """A stored file as the answer to a request already checked for permission, streamed block by
    block from the store; 404 if its file is missing, 503 with Retry-After while the store does not
    answer."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        # The row is there and its file is not: the operator must hear of it; the visitor sees 404.
        logger.error("The stored file %s is missing from the photo store.", file.name)
        raise Http404 from None
    except ObjectStoreUnavailable as refusal:
        response = HttpResponse(str(refusal.detail), status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(handle, **options)
    if not response.has_header("Content-Length"):
        # A file on disk gives FileResponse its length; an object read as a stream knows its own.
        size = getattr(getattr(handle, "file", None), "size", None)
        if isinstance(size, int):
            response["Content-Length"] = str(size)
    return response


def evidence_image(file, name: str) -> HttpResponse:
    """A stored (stripped) JPEG as the answer to a request already checked for permission."""
    response = stored_file_response(file, content_type="image/jpeg")
    if response.status_code != 200:
        return response
    # Evidence may be sensitive: no shared caches, and never sniffed as anything but an image.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    return response
