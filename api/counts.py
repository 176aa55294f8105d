"""The observer API's counts: turnout counts, protocol copies, and the contests a protocol form needs.

Each view parses its input, calls one service or selector, and renders, like api/views.py.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import count_serializers as io
from api.schema import OBSERVER_TAG, created_or_found_responses
from api.serializers import render
from api.views import ObserverAPIView, created_or_found, parse
from core.api_schema import RETRY_AFTER, errors
from counts.models import TurnoutMethod
from counts.selectors import contests_for_station
from counts.services import protocol_submit, turnout_count_create
from people.selectors import station_get_for_observer


class TurnoutCountInputSchema(io.TurnoutCountInput):
    """For the schema only: the service checks the method with its own message."""

    method = serializers.ChoiceField(choices=TurnoutMethod.choices)


class ProtocolInputSchema(io.ProtocolInput):
    """For the schema only: the photo is required (the service says so with its own message)."""

    photo = serializers.FileField(help_text="The photo of the protocol: the evidence.")


STATION = {"id": 17, "number": "101", "name": "School 5"}
PROTOCOL_ID = "5e0f3b9a-8c1d-4e2f-a3b4-c5d6e7f80912"
EXAMPLES = {
    "turnout_in": OpenApiExample(
        "Voters counted by noon",
        value={
            "id": "3c9e1f0a-7b2d-4c5e-8f6a-9b0c1d2e3f40",
            "station": 17,
            "counted_at": "2023-03-19T12:00:00+06:00",
            "voters": 412,
            "method": "tally",
            "note": "",
        },
        request_only=True,
    ),
    "turnout_out": OpenApiExample(
        "Turnout count",
        value={
            "id": "3c9e1f0a-7b2d-4c5e-8f6a-9b0c1d2e3f40",
            "station": STATION,
            "counted_at": "2023-03-19T06:00:00Z",
            "voters": 412,
            "method": "tally",
            "method_label": "I counted every voter",
            "note": "",
            "received_at": "2023-03-19T06:00:05Z",
        },
        response_only=True,
    ),
    "protocol_out": OpenApiExample(
        "A copy that does not add up",
        value={
            "id": PROTOCOL_ID,
            "station": STATION,
            "contest": {"code": "party_list", "name": "Party list"},
            "registered": 1000,
            "received": 800,
            "issued": 600,
            "cancelled": 200,
            "lost": 0,
            "in_boxes": 590,
            "invalid": 10,
            "valid": 580,
            "votes": {"amanat": 400, "auyl": 100, "respublica": 90},
            "failures": [
                {
                    "code": "votes_sum_to_valid",
                    "message": "The votes for all choices must add up to the valid ballots.",
                }
            ],
            "note": "",
            "photo": {
                "url": f"https://baqylau.example.org/observe/photos/protocols/{PROTOCOL_ID}/",
                "thumbnail_url": f"https://baqylau.example.org/observe/photos/protocols/{PROTOCOL_ID}/thumbnail/",
                "width": 1920,
                "height": 2560,
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "captured_at": "2023-03-19T21:40:00+06:00",
            },
            "status": "submitted",
            "status_label": "Submitted",
            "received_at": "2023-03-19T15:42:10Z",
        },
        response_only=True,
    ),
    "contests": OpenApiExample(
        "The two Majilis contests at a station",
        value=[
            {
                "code": "party_list",
                "name": "Party list",
                "kind": "party_list",
                "choices": [{"code": "amanat", "name": "Amanat"}, {"code": "auyl", "name": "Auyl"}],
            },
            {
                "code": "smd",
                "name": "Single-mandate district",
                "kind": "candidates",
                "choices": [{"code": "smd1-ivanova", "name": "A. Ivanova"}],
            },
        ],
        response_only=True,
    ),
}


class TurnoutCountCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Record the voters counted at a station so far",
        parameters=[RETRY_AFTER],
        request=TurnoutCountInputSchema,
        responses={**created_or_found_responses(io.TurnoutCountOutput), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["turnout_in"], EXAMPLES["turnout_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(io.TurnoutCountInput, request.data)
        count, created = turnout_count_create(observer=request.user, **data)
        return created_or_found(render(io.TurnoutCountOutput, count), created)


class ProtocolCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Send a copy of a station's protocol, with its photo",
        description=(
            "A copy that does not add up is kept: `failures` lists the arithmetic rules it breaks. "
            "`votes` is a JSON object of choice code to votes, with every choice on the station's ballot."
        ),
        parameters=[RETRY_AFTER],
        request={"multipart/form-data": ProtocolInputSchema},
        responses={**created_or_found_responses(io.ProtocolOutput), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["protocol_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(io.ProtocolInput, request.data)
        copy, created = protocol_submit(observer=request.user, **data)
        return created_or_found(io.ProtocolOutput(copy, context={"request": request}).data, created)


class ContestListView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="The contests at one of my stations, with the choices on its ballot",
        parameters=[
            OpenApiParameter("station", int, required=True, description="The id of one of my stations."),
            RETRY_AFTER,
        ],
        responses={200: io.ContestOutput(many=True), **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["contests"]],
    )
    def get(self, request: Request) -> Response:
        query = parse(io.ContestQuery, request.query_params)
        station, _organization = station_get_for_observer(user=request.user, station_id=query["station"])
        return Response(io.ContestOutput(contests_for_station(station), many=True).data)
