"""Partners register, list and delete their webhook endpoints with their partner key.

Any key may register; each event needs its scope in the key that registers it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import RETRY_AFTER, errors
from partners.authentication import HasScope, PartnerKeyAuthentication
from partners.throttling import PartnerKeyThrottle
from webhooks import selectors, services
from webhooks import serializers as io

TAG = "webhooks"

ENDPOINT_EXAMPLE = {
    "id": 7,
    "url": "https://newsroom.example.org/hooks/baqylau",
    "events": ["incident.verified", "district.band_changed"],
    "active": True,
    "created_at": "2023-03-19T08:00:00Z",
    "disabled_at": None,
    "consecutive_failures": 0,
}
SECRET_EXAMPLE = "whsec_example-only-each-endpoint-gets-its-own-secret"  # noqa: S105 - documentation
ENDPOINT_ID = OpenApiParameter(
    "endpoint_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The endpoint's id, from the list."
)


class PartnerView(APIView):
    authentication_classes = (PartnerKeyAuthentication,)
    permission_classes = (HasScope,)
    throttle_classes = (PartnerKeyThrottle,)
    required_scope = None


class EndpointListCreateView(PartnerView):
    @extend_schema(
        tags=[TAG],
        summary="List your webhook endpoints",
        description="Your partner's endpoints, oldest first, without their secrets.",
        parameters=[RETRY_AFTER],
        responses={
            200: OpenApiResponse(
                io.EndpointListOutput,
                examples=[
                    OpenApiExample("Endpoints", value={"results": [ENDPOINT_EXAMPLE]}, response_only=True)
                ],
            ),
            **errors(401, 429),
        },
    )
    def get(self, request: Request) -> Response:
        endpoints = selectors.endpoints_for_partner(request.auth.partner)
        return Response({"results": io.EndpointOutput(endpoints, many=True).data})

    @extend_schema(
        tags=[TAG],
        summary="Register a webhook endpoint",
        description=(
            "Events are POSTed as JSON with the headers X-Baqylau-Event, X-Baqylau-Delivery (the event id: "
            "the same on every retry, so de-duplicate on it), X-Baqylau-Timestamp and X-Baqylau-Signature: "
            'sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>. Any answer but 2xx is '
            "retried with exponential back-off. The secret is in this answer only."
        ),
        request=io.EndpointInput,
        parameters=[RETRY_AFTER],
        examples=[
            OpenApiExample(
                "Both events",
                value={"url": ENDPOINT_EXAMPLE["url"], "events": ENDPOINT_EXAMPLE["events"]},
                request_only=True,
            )
        ],
        responses={
            201: OpenApiResponse(
                io.EndpointCreatedOutput,
                description="Created; keep the secret, it is never shown again.",
                examples=[
                    OpenApiExample(
                        "Created", value=ENDPOINT_EXAMPLE | {"secret": SECRET_EXAMPLE}, response_only=True
                    )
                ],
            ),
            **errors(400, 401, 429),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = io.EndpointInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(key=request.auth, **serializer.validated_data)
        endpoint.secret = secret
        return Response(io.EndpointCreatedOutput(endpoint).data, status=201)


class EndpointDetailView(PartnerView):
    @extend_schema(
        tags=[TAG],
        summary="Delete a webhook endpoint",
        description="Nothing more is sent to it, including retries still waiting.",
        parameters=[ENDPOINT_ID, RETRY_AFTER],
        responses={204: OpenApiResponse(description="Deleted."), **errors(401, 404, 429)},
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        endpoint = selectors.endpoint_get_for_partner(partner=request.auth.partner, endpoint_id=endpoint_id)
        services.endpoint_delete(endpoint=endpoint)
        return Response(status=204)
