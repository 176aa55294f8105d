"""How the observer API describes itself in OpenAPI 3 (drf-spectacular): its Bearer scheme, and the
documentation-only serializers and examples that the views' `extend_schema` use.

Nothing here changes what a view accepts or answers; the schema test (tests/api/test_schema.py)
and schemathesis (tests/api/test_schemathesis.py) check that the description matches the API. The
description is for developers and in English, like docs/api.md; the API's own messages are translated.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from api import serializers as io
from reports.taxonomy import Category, CheckInKind, Phase

OBSERVER_TAG = "observers"


class ObserverTokenScheme(OpenApiAuthenticationExtension):
    target_class = "people.authentication.BearerTokenAuthentication"
    name = "observerToken"

    def get_security_definition(self, auto_schema):
        return settings.SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]["securitySchemes"][self.name]


def created_or_found_responses(serializer) -> dict[int, OpenApiResponse]:
    """A retried request finds the row its first try made: same body, 200 instead of 201."""
    return {
        201: OpenApiResponse(serializer, description="Created."),
        200: OpenApiResponse(serializer, description="Already received with this id: the same row."),
    }


# Documentation-only views of the observer API's input serializers: the services check these
# choices (with their own messages), the schema lists them so that clients can offer them.


class CheckInInputSchema(io.CheckInInput):
    kind = serializers.ChoiceField(choices=CheckInKind.choices)


class ReportInputSchema(io.ReportInput):
    category = serializers.ChoiceField(choices=Category.choices)
    phase = serializers.ChoiceField(choices=Phase.choices)


class ReportPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = io.ReportOutput(many=True)


MINE = OpenApiParameter(
    "mine",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=True,
    enum=[True],
    description="Must be true: only the observer's own reports are listed.",
)
REPORT = OpenApiParameter(
    "report_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The report's id, as the phone made it.",
)
PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Page number, from 1; 50 reports a page."
)

REPORT_ID = "7f9d2c4b-3a1e-4b6f-8c2d-1e0f9a8b7c6d"
PHOTO_EXAMPLE = {
    "id": "0b5a1c2d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "url": "https://baqylau.example.org/observe/photos/0b5a1c2d-6e7f-4a8b-9c0d-1e2f3a4b5c6d/",
    "thumbnail_url": "https://baqylau.example.org/observe/photos/0b5a1c2d-6e7f-4a8b-9c0d-1e2f3a4b5c6d/thumbnail/",
    "width": 1920,
    "height": 2560,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "captured_at": "2023-03-19T11:39:12+06:00",
}
REPORT_EXAMPLE = {
    "id": REPORT_ID,
    "station": {"id": 17, "number": "101", "name": "School 5"},
    "category": "ballot_stuffing",
    "category_label": "Ballot stuffing",
    "severity": 5,
    "phase": "voting",
    "occurred_at": "2023-03-19T05:40:00Z",
    "description": "A commission member put a stack of ballots into box 2.",
    "latitude": 43.2381,
    "longitude": 76.8897,
    "accuracy_m": 12,
    "status": "submitted",
    "status_label": "Submitted",
    "question": "",
    "photos": [PHOTO_EXAMPLE],
    "received_at": "2023-03-19T05:41:03Z",
}
EXAMPLES = {
    "token_in": OpenApiExample(
        "Sign in", value={"username": "observer1", "password": "observe2023"}, request_only=True
    ),
    "token_out": OpenApiExample(
        "Token",
        value={"token": "3q2-7w…", "expires_at": "2023-04-02T05:00:00Z", "username": "observer1"},
        response_only=True,
    ),
    "me": OpenApiExample(
        "An observer",
        value={
            "username": "observer1",
            "organizations": [
                {"name": "Citizen Watch", "slug": "citizen-watch", "role": "observer", "roaming": False}
            ],
            "stations": [
                {
                    "id": 17,
                    "number": "101",
                    "name": "School 5",
                    "address": "Abai St. 1",
                    "district": {"number": 1, "name": "Astana district 1"},
                    "election": "majilis-2023-demo",
                }
            ],
        },
        response_only=True,
    ),
    "checkin_in": OpenApiExample(
        "All clear at arrival",
        value={
            "id": "0d6c0a1e-2f7b-4f4e-9d7e-5b1a6c3e8f21",
            "station": 17,
            "kind": "arrival",
            "at": "2023-03-19T07:12:00+06:00",
            "all_clear": True,
            "note": "",
        },
        request_only=True,
    ),
    "checkin_out": OpenApiExample(
        "Check-in",
        value={
            "id": "0d6c0a1e-2f7b-4f4e-9d7e-5b1a6c3e8f21",
            "station": 17,
            "kind": "arrival",
            "at": "2023-03-19T01:12:00Z",
            "all_clear": True,
            "note": "",
            "received_at": "2023-03-19T01:12:04Z",
        },
        response_only=True,
    ),
    "report": OpenApiExample("A report", value=REPORT_EXAMPLE, response_only=True),
    "reports": OpenApiExample(
        "A page of reports",
        value={"count": 1, "next": None, "previous": None, "results": [REPORT_EXAMPLE]},
        response_only=True,
    ),
    "photo": OpenApiExample("A photo", value=PHOTO_EXAMPLE, response_only=True),
    "answer": OpenApiExample(
        "An answer", value={"answer": "Box number 2, by the window."}, request_only=True
    ),
}
