"""Photos are served only here, after checking who asks; there is no public URL for any photo."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from core.errors import NotFound
from core.storage import evidence_image
from reports.selectors import photo_get_for_user


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
