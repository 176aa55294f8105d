"""The observer API's checklists: the published checklists of a station, and the answers to one.

Each view parses its input, calls one service or selector, and renders, like api/views.py.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from api import checklist_serializers as io
from api.schema import OBSERVER_TAG, created_or_found_responses
from api.views import ObserverAPIView, created_or_found, parse
from checklists.selectors import checklists_for_station
from checklists.services import AnswersRejected, submission_create
from checklists.texts import localized
from core.api_schema import RETRY_AFTER, errors

PHOTO_PART = "photo."
SUBMISSION_ID = "7d3f6a2e-1b4c-4d5e-9f60-718293a4b5c6"
EXAMPLES = {
    "checklists": OpenApiExample(
        "An opening checklist",
        value=[
            {
                "code": "opening",
                "version": 2,
                "name": "Opening",
                "phase": "opening",
                "sections": [
                    {
                        "title": "Before voting",
                        "questions": [
                            {
                                "code": "box_sealed",
                                "kind": "yes_no",
                                "label": "Was the ballot box empty and sealed?",
                                "required": True,
                                "choices": [],
                                "min": None,
                                "max": None,
                                "show_if": None,
                                "critical": [False],
                                "severity": 3,
                                "category": "unsealed_or_unattended_box",
                            },
                            {
                                "code": "seal_photo",
                                "kind": "photo",
                                "label": "Photo of the unsealed box",
                                "required": False,
                                "choices": [],
                                "min": None,
                                "max": None,
                                "show_if": {"question": "box_sealed", "equals": False},
                                "critical": [],
                                "severity": None,
                                "category": None,
                            },
                        ],
                    }
                ],
                "rules": [],
            }
        ],
        response_only=True,
    ),
    "answers_in": OpenApiExample(
        "Answers to the opening checklist",
        value={
            "id": SUBMISSION_ID,
            "checklist": "opening",
            "version": 2,
            "station": 17,
            "answered_at": "2023-03-19T07:05:00+06:00",
            "answers": {"box_sealed": False, "opened_at": "07:00", "registered": 1200},
        },
        request_only=True,
    ),
    "answers_out": OpenApiExample(
        "Received, with a report made of a critical answer",
        value={
            "id": SUBMISSION_ID,
            "checklist": "opening",
            "version": 2,
            "station": 17,
            "answered_at": "2023-03-19T01:05:00Z",
            "answers": {"box_sealed": False, "opened_at": "07:00", "registered": 1200},
            "flags": [],
            "photos": [
                {
                    "question": "seal_photo",
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "width": 1920,
                    "height": 1440,
                }
            ],
            "reports": [{"question": "box_sealed", "id": "0b8d1c52-3a51-5c1e-9a4f-2d6e8f1a7b3c"}],
            "received_at": "2023-03-19T01:05:09Z",
        },
        response_only=True,
    ),
}


class ChecklistListView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="The published checklists at one of my stations, each its current version in full",
        description="Texts are in the request's language (Accept-Language: kk, ru or en).",
        parameters=[
            OpenApiParameter("station", int, required=True, description="The id of one of my stations."),
            RETRY_AFTER,
        ],
        responses={200: io.ChecklistDoc(many=True), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["checklists"]],
    )
    def get(self, request: Request) -> Response:
        query = parse(io.ChecklistQuery, request.query_params)
        _station, versions = checklists_for_station(user=request.user, station_id=query["station"])
        return Response([localized(version.definition) for version in versions])


class ChecklistAnswersCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Send the answers to a checklist, with its photos",
        description=(
            "JSON, or multipart with the JSON in a part named `data` and each photo in a part named "
            "`photo.<question code>`. A 400 names each question at fault as `answers.<code>`."
        ),
        parameters=[RETRY_AFTER],
        request={
            "application/json": io.ChecklistAnswersInput,
            "multipart/form-data": io.ChecklistAnswersMultipartDoc,
        },
        responses={**created_or_found_responses(io.SubmissionOutput), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["answers_in"], EXAMPLES["answers_out"]],
    )
    def post(self, request: Request) -> Response:
        body, photos = _parts(request)
        data = parse(io.ChecklistAnswersInput, body)
        try:
            submission, created = submission_create(observer=request.user, photos=photos, **data)
        except AnswersRejected as rejected:
            raise exceptions.ValidationError(
                {f"answers.{code}": [message] for code, message in rejected.errors.items()}
            ) from None
        return created_or_found(io.SubmissionOutput(submission).data, created)


def _parts(request: Request) -> tuple[dict, dict]:
    """The JSON body and the photos by question code: a JSON request has no photos."""
    if not request.content_type.startswith("multipart/"):
        return request.data, {}
    body = parse(io.MultipartData, request.data)["data"]
    photos = {}
    for name, upload in request.FILES.items():
        if not name.startswith(PHOTO_PART):
            raise exceptions.ValidationError({name: [_("Photos go in parts named photo.<question code>.")]})
        photos[name.removeprefix(PHOTO_PART)] = upload
    return body, photos
