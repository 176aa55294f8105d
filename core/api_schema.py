"""The API's one error shape (core/api_errors.py) as OpenAPI 3 describes it, shared by the observer
API, the partner API and the webhooks: every 4xx of every endpoint, the Retry-After of a 429, and
the 503 that any endpoint answers while the database or the photo store does not."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A stable machine-readable code: invalid, not_found, not_authenticated, throttled, …"
    )
    message = serializers.CharField(help_text="A sentence for a person, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only when particular fields broke a rule: the messages per field.",
    )


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def _error_example(name: str, code: str, message: str, fields: dict | None = None) -> OpenApiExample:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return OpenApiExample(name, value={"error": body}, response_only=True)


ERROR_RESPONSES = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="The request breaks a rule; `fields` names the fields concerned.",
        examples=[
            _error_example(
                "Invalid field",
                "invalid",
                "This time is in the future; check the phone's clock.",
                {"occurred_at": ["This time is in the future; check the phone's clock."]},
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        description="No credentials, or a token or key that is not valid, has expired or was revoked.",
        examples=[_error_example("Expired", "token_expired", "Your sign-in has expired; sign in again.")],
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description=(
            "The credentials are valid but do not allow this request: a partner key without the scope, "
            "or a browser session's write without its CSRF token."
        ),
        examples=[_error_example("Missing scope", "scope_missing", "This key lacks the scope photos:read.")],
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description="Missing, or not yours: the two answer the same.",
        examples=[_error_example("Not found", "not_found", "Not found.")],
    ),
    410: OpenApiResponse(
        ErrorSerializer,
        description="Gone: a link that has expired.",
        examples=[_error_example("Expired link", "link_expired", "This photo link has expired.")],
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        description="Too many requests: wait the seconds of the Retry-After header.",
        examples=[_error_example("Throttled", "throttled", "Request was throttled. Retry in 12 seconds.")],
    ),
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses an operation can give, for `extend_schema(responses={...})`."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before the next request.",
)


UNAVAILABLE = {
    "description": (
        "The database or the photo store did not answer (a restart, a fail-over): nothing was saved. "
        "Send the same request again after the seconds of Retry-After; a repeated id finds the row it made."
    ),
    "headers": {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before sending again."}
    },
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "examples": {
                "Unavailable": {
                    "value": {
                        "error": {
                            "code": "unavailable",
                            "message": "The service is briefly unavailable and nothing was saved. "
                            "Try again in a moment.",
                        }
                    }
                }
            },
        }
    },
}


def add_unavailable(result: dict, generator, request, public) -> dict:
    """drf-spectacular's post-processing hook: every operation documents the 503 (core/unavailable.py)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", UNAVAILABLE)
    return result
