"""When the database does not answer: 503 with Retry-After, never a 500.

A restart or fail-over of PostgreSQL takes seconds to a minute. Meanwhile every request that needs
the database fails with OperationalError (the server refused or dropped the connection, a lock or
statement timed out) or InterfaceError (a connection closed under Django's feet). The request's
transaction did not commit, and the same request sent again once the database is back does what it
was meant to: the phone's outbox resends an item with the same id, and the server takes a repeated
id for the same row. So the honest answer is 503 with Retry-After, which the outbox waits for and
retries, not 500, which says that the server is broken.

- API views: core.api_errors answers these errors in the API's one error shape.
- Everything else (pages, the admin, and a middleware failing before any view runs): `server_error`,
  the project's handler500, answers 503 when the exception being handled is one of these (or the
  photo store not answering, core.storage.ObjectStoreUnavailable), in the
  API's shape under /api/ and as a short page elsewhere; any other error gets Django's 500 page.

With DJANGO_DEBUG on, Django shows its debug page instead, as for every error.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Long enough for a connection to be re-established, short enough that a phone's outbox empties
# soon after a restart of the database.
RETRY_AFTER_SECONDS = 10
API_PREFIX = "/api/"


def unavailable_message() -> str:
    return _("The service is briefly unavailable and nothing was saved. Try again in a moment.")


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: 503 when the database did not answer, Django's 500 page for anything else."""
    # Django calls this while it handles the exception, so the exception is the current one. The
    # photo store failing under a page that posts a photo is the same: nothing saved, try again.
    from core.storage import ObjectStoreUnavailable

    if not isinstance(sys.exc_info()[1], (*DATABASE_ERRORS, ObjectStoreUnavailable)):
        return django_server_error(request, template_name)
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"error": {"code": "unavailable", "message": unavailable_message()}})
    else:
        response = HttpResponse(
            format_html(
                '<!doctype html><html><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
                "<body><h1>{}</h1><p>{}</p></body></html>",
                _("Service unavailable"),
                _("Service unavailable"),
                unavailable_message(),
            )
        )
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
