"""Short-lived signed URLs for the photos of shared incidents.

A partner's key never leaves the partner's server, but a photo is often shown in a browser; so
the incidents list hands out URLs that carry their own proof: the photo's id and size, signed
with the server's secret and a timestamp. Such a URL works for PARTNER_PHOTO_URL_MAX_AGE seconds
and only while the report is still verified and its organization still shares it.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

SALT = "partners.photo-url"
SIZES = ("image", "thumbnail")


class LinkExpired(exceptions.APIException):
    status_code = 410
    default_detail = gettext_lazy("This photo link has expired; list the incident again for a fresh one.")
    default_code = "link_expired"


def photo_token(photo_id: uuid.UUID, size: str) -> str:
    return signing.dumps({"p": photo_id.hex, "s": SIZES.index(size)}, salt=SALT, compress=False)


def photo_url(request, photo_id: uuid.UUID, size: str = "image") -> str:
    path = reverse("api:partners:photo", kwargs={"token": photo_token(photo_id, size)})
    return request.build_absolute_uri(path)


def photo_token_read(token: str) -> tuple[uuid.UUID, str]:
    """The photo id and size a token names; 410 once it is too old, 404 when it was not ours."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PARTNER_PHOTO_URL_MAX_AGE)
        return uuid.UUID(hex=data["p"]), SIZES[data["s"]]
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        raise exceptions.NotFound(_("No such photo.")) from None
