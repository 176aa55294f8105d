"""Photos are served only here, after checking who asks; there is no public URL for any photo."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from reports.errors import NotFound
from reports.selectors import photo_get_for_user


def evidence_image(file, name: str) -> FileResponse:
    """A stored (stripped) JPEG as the answer to a request already checked for permission."""
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    # Evidence may be sensitive: no shared caches, and never sniffed as anything but an image.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    return response


def _serve(request, photo_id, field: str):
    try:
        photo = photo_get_for_user(user=request.user, photo_id=photo_id)
    except NotFound:
        raise Http404 from None
    return evidence_image(getattr(photo, field), str(photo.id))


@require_GET
@login_required
def photo(request, photo_id):
    return _serve(request, photo_id, "image")


@require_GET
@login_required
def photo_thumbnail(request, photo_id):
    return _serve(request, photo_id, "thumbnail")
