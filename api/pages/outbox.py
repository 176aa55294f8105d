"""What the phone's outbox needs from the site: its API token, and the service worker script."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import PrefixNode, static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import NotFound
from people.selectors import observer_memberships
from people.services import token_issue

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "observe"
PRECACHED = (
    "observe/observe.css",
    "observe/outbox.js",
    "observe/outreach.js",
    "observe/counts.js",
    "observe/checklists.js",
)


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@require_POST
def token(request):
    """A bearer token for the signed-in observer's outbox. Session and CSRF protected, like a form.

    The outbox keeps sending with it after the session cookie has expired on a phone gone offline.
    """
    if not request.user.is_authenticated:
        return _refusal(401, "not_authenticated", _("Sign in again."))
    if not observer_memberships(request.user).exists():
        return _refusal(403, "not_an_observer", _("This account is not an observer's."))
    try:
        row, key = token_issue(user=request.user)
    except NotFound:
        return _refusal(401, "not_authenticated", _("Sign in again."))
    response = JsonResponse(
        {"token": key, "expires_at": row.expires_at.isoformat(), "username": request.user.get_username()},
        status=201,
    )
    response["Cache-Control"] = "no-store"
    return response


def _shell_version() -> str:
    """Names the phone's cache of the observer's files, so that a new deployment replaces it.

    In production, the hash of collectstatic's manifest: it changes whenever any static file does,
    and the file names it lists are the ones the pages ask for. Without a manifest (DEBUG, tests)
    the files themselves are hashed.
    """
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    if manifest_hash and not settings.DEBUG:
        return manifest_hash
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request):
    """sw.js served from /observe/ so that its scope covers every observer page.

    It is told this deployment's file names (hashed by collectstatic) for each file's plain name: it
    keeps those, and hands them to a page kept from an earlier deployment that asks for older ones.
    """
    prefix = PrefixNode.handle_simple("STATIC_URL")
    shell = {prefix + name: static(name) for name in PRECACHED}
    script = (
        (STATIC_DIR / "sw.js")
        .read_text(encoding="utf-8")
        .replace("__VERSION__", _shell_version())
        .replace("__STATIC_PREFIX__", prefix)
        .replace("__SHELL__", json.dumps(shell))
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # The browser must see a new version at once, or phones keep serving old files.
    response["Cache-Control"] = "no-cache"
    return response
