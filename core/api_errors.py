"""One error shape for the whole API, so the phone's outbox can show the server's words as they are:

    {"error": {"code": "invalid", "message": "...", "fields": {"station": ["..."]}}}

`fields` appears only when the request broke a rule about particular fields.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView, exception_handler

from core.errors import ApplicationError, NotFound
from core.unavailable import DATABASE_ERRORS, RETRY_AFTER_SECONDS, unavailable_message

logger = logging.getLogger(__name__)


class DatabaseUnavailable(exceptions.APIException):
    """The database did not answer (core/unavailable.py): 503 with Retry-After; the phone retries."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"

    def __init__(self) -> None:
        super().__init__(detail=unavailable_message(), code=self.default_code)
        # DRF's handler turns it into the Retry-After header.
        self.wait = RETRY_AFTER_SECONDS


def handler(exc, context):
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    body = {"code": _code(exc), "message": _message(exc)}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["fields"] = {field: _flatten(errors) for field, errors in exc.detail.items()}
    response.data = {"error": body}
    return response


def _as_api_exception(exc):
    """Rules broken in a service, requests Django refuses to read, and a database that does not
    answer, in DRF's terms."""
    if isinstance(exc, NotFound):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        if exc.field:
            return exceptions.ValidationError({exc.field: [exc.message]})
        return exceptions.ValidationError(exc.message)
    if isinstance(exc, RequestDataTooBig):
        return exceptions.ValidationError(_("The request is too large."), code="too_large")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ValidationError(_("The request has too many fields or files."), code="too_many")
    if isinstance(exc, DATABASE_ERRORS):
        logger.warning("The database did not answer; the request is refused with 503.", exc_info=exc)
        return DatabaseUnavailable()
    if isinstance(exc, OverflowError | DataError):
        # A number or a time that passed the serializer but not the database's column or Python's
        # date range (a time in the year 9999 at UTC-14): the request's fault, not the server's.
        return exceptions.ValidationError(
            _("A number or a time in the request is out of range."), code="out_of_range"
        )
    return exc


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        return "invalid"
    codes = exc.get_codes()
    if isinstance(codes, list):
        codes = codes[0] if codes else exc.default_code
    return codes if isinstance(codes, str) else exc.default_code


def _message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        parts = [f"{field}: {' '.join(_flatten(errors))}" for field, errors in detail.items()]
        return " ".join(parts) if len(parts) > 1 else " ".join(_flatten(next(iter(detail.values()), [])))
    return " ".join(_flatten(detail))


def _flatten(errors) -> list[str]:
    """DRF nests errors of list items ({"photos": {0: [...]}}); the phone wants plain messages."""
    if isinstance(errors, dict):
        return [message for nested in errors.values() for message in _flatten(nested)]
    if isinstance(errors, list):
        return [message for nested in errors for message in _flatten(nested)]
    return [str(errors)]


class NotFoundView(APIView):
    """Any other address under the API answers 404 in the API's own error shape."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()
