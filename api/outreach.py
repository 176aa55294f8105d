"""The observer API's messages and safety alerts: the observer's own messages, marking one read, and
raising an alert ("I need help"). Each view parses its input, calls one service or selector, and
renders, like api/views.py."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.schema import OBSERVER_TAG, created_or_found_responses
from api.serializers import MAX_INT, AwareDateTimeField, CoordinateField, render
from api.views import ObserverAPIView, created_or_found, parse
from core.api_schema import RETRY_AFTER, errors
from outreach.selectors import deliveries_for_observer
from outreach.services import alert_raise, message_mark_read, messages_mark_received

ALERT_ID = "5c0e9d8a-2f1b-4c3d-8e7f-6a5b4c3d2e1f"
EXAMPLES = {
    "messages": OpenApiExample(
        "One unread message",
        value={
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "id": 42,
                    "organization": "honest-count",
                    "subject": "The count in district 3 is moved",
                    "body": "The commission of district 3 counts at School 12 from 20:00.",
                    "sent_at": "2023-03-19T10:15:00Z",
                    "received_at": "2023-03-19T10:16:02Z",
                    "read_at": None,
                }
            ],
        },
        response_only=True,
    ),
    "read": OpenApiExample(
        "Read",
        value={
            "id": 42,
            "organization": "honest-count",
            "subject": "The count in district 3 is moved",
            "body": "The commission of district 3 counts at School 12 from 20:00.",
            "sent_at": "2023-03-19T10:15:00Z",
            "received_at": "2023-03-19T10:16:02Z",
            "read_at": "2023-03-19T10:20:41Z",
        },
        response_only=True,
    ),
    "alert_in": OpenApiExample(
        "Removed from the station",
        value={
            "id": ALERT_ID,
            "station": 17,
            "kind": "removed",
            "note": "The chair had the police take me out.",
            "at": "2023-03-19T14:05:00+06:00",
            "latitude": 49.806406,
            "longitude": 73.085485,
        },
        request_only=True,
    ),
    "alert_out": OpenApiExample(
        "Received",
        value={
            "id": ALERT_ID,
            "station": 17,
            "kind": "removed",
            "note": "The chair had the police take me out.",
            "at": "2023-03-19T08:05:00Z",
            "latitude": "49.806406",
            "longitude": "73.085485",
            "status": "open",
            "received_at": "2023-03-19T08:05:03Z",
        },
        response_only=True,
    ),
}


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField(source="message_id")
    organization = serializers.CharField(source="membership.organization.slug")
    subject = serializers.CharField(source="message.subject")
    body = serializers.CharField(source="message.body")
    sent_at = serializers.DateTimeField(source="message.sent_at")
    received_at = serializers.DateTimeField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)


class MessagePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MessageOutput(many=True)


class AlertInput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(
        source="station_id", min_value=1, max_value=MAX_INT, allow_null=True, default=None
    )
    kind = serializers.CharField()
    note = serializers.CharField(allow_blank=True, default="")
    at = AwareDateTimeField()
    latitude = CoordinateField(allow_null=True, default=None)
    longitude = CoordinateField(allow_null=True, default=None)


class AlertOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id", allow_null=True)
    kind = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class MessagePagination(PageNumberPagination):
    page_size = 50


MESSAGE = OpenApiParameter(
    "message_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The message's id."
)
PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Page number, from 1; 50 messages a page."
)


class MessageListView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="My messages from my organizations' coordinators, newest first, 50 a page",
        description="Fetching a message records that the phone received it; reading is marked apart.",
        parameters=[PAGE, RETRY_AFTER],
        responses={200: MessagePageSerializer, **errors(401, 404, 429)},
        examples=[EXAMPLES["messages"]],
    )
    def get(self, request: Request) -> Response:
        paginator = MessagePagination()
        page = paginator.paginate_queryset(deliveries_for_observer(request.user), request, view=self)
        messages_mark_received(page)
        return paginator.get_paginated_response([render(MessageOutput, delivery) for delivery in page])


class MessageReadView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Mark one of my messages read",
        description="Marking it again changes nothing: the first time stays.",
        parameters=[MESSAGE, RETRY_AFTER],
        request=None,
        responses={200: MessageOutput, **errors(401, 404, 429)},
        examples=[EXAMPLES["read"]],
    )
    def post(self, request: Request, message_id: int) -> Response:
        delivery = message_mark_read(user=request.user, message_id=message_id)
        return Response(render(MessageOutput, delivery))


class AlertCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="I need help: raise a safety alert",
        description=(
            "The organization's coordinators see it at once, and its emergency contacts are sent it by "
            "e-mail and webhook. `station` may be null when the observer is not at one of their stations."
        ),
        parameters=[RETRY_AFTER],
        request=AlertInput,
        responses={**created_or_found_responses(AlertOutput), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["alert_in"], EXAMPLES["alert_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(AlertInput, request.data)
        alert, created = alert_raise(observer=request.user, **data)
        return created_or_found(render(AlertOutput, alert), created)
