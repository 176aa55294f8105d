"""Photos are served only here, after checking who asks; there is no public URL for any photo.

The observer API's answers link here, so a link works with the credentials the API took: the
observer's bearer token (the phone's outbox, after its session cookie expired), or a browser session.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from core.errors import NotFound
from core.storage import evidence_image
from people.authentication import BearerTokenAuthentication
from reports.selectors import photo_get_for_user


def session_or_token_required(view):
    """A bearer token when the request carries one; otherwise a session, or the sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        authentication = BearerTokenAuthentication()
        try:
            credentials = authentication.authenticate(request)
        except AuthenticationFailed as refusal:
            return _refused(refusal, authentication.authenticate_header(request))
        if credentials is None:
            return login_required(view)(request, *args, **kwargs)
        request.user = credentials[0]
        response = view(request, *args, **kwargs)
        # The same address answers differently for another token: no cache may mix them up.
        patch_vary_headers(response, ["Authorization"])
        return response

    return wrapped


def _refused(refusal: AuthenticationFailed, challenge: str) -> JsonResponse:
    """401 in the API's one error shape: the token's owner must sign in again on the phone."""
    body = {"error": {"code": refusal.get_codes(), "message": str(refusal.detail)}}
    response = JsonResponse(body, status=401)
    response["WWW-Authenticate"] = challenge
    return response


def _serve(request, photo_id, field: str):
    try:
        photo = photo_get_for_user(user=request.user, photo_id=photo_id)
    except NotFound:
        raise Http404 from None
    return evidence_image(getattr(photo, field), str(photo.id))


@require_GET
@session_or_token_required
def photo(request, photo_id):
    return _serve(request, photo_id, "image")


@require_GET
@session_or_token_required
def photo_thumbnail(request, photo_id):
    return _serve(request, photo_id, "thumbnail")
