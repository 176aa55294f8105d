"""The observer API. Each view parses its input, calls one service or selector, and renders."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as io
from api.schema import (
    EXAMPLES,
    MINE,
    OBSERVER_TAG,
    PAGE,
    REPORT,
    CheckInInputSchema,
    ReportInputSchema,
    ReportPageSerializer,
    created_or_found_responses,
)
from api.throttling import ObserverThrottle, ObserverThrottled
from core.api_schema import RETRY_AFTER, errors
from people.accounts import authenticate_with_code, lockout_message
from people.models import Role
from people.selectors import assigned_stations, memberships_for_user, roaming_district_numbers
from people.services import token_issue
from reports.selectors import reports_list_for_observer
from reports.services import checkin_create, photo_attach, report_answer, report_submit


def parse(serializer_class: type[serializers.Serializer], data) -> dict:
    """The request's data, checked by `serializer_class`, or a 400 naming each field at fault.

    What `is_valid(raise_exception=True)` does, with the one instance of the class that serves every
    request (api.serializers.shared).
    """
    return io.shared(serializer_class).run_validation(data)


def created_or_found(data, created: bool) -> Response:
    """201 for a new row; 200 with the same body when a retried request finds the row it made."""
    return Response(data, status=201 if created else 200)


# An endpoint the observer's phone calls with its token: throttled per token (api/throttling.py). A
# comment, not a docstring: the OpenAPI description would take it for every endpoint's own words.
class ObserverAPIView(APIView):
    throttle_classes = (ObserverThrottle,)

    def throttled(self, request: Request, wait: float | None) -> None:
        raise ObserverThrottled(wait)


class TokenCreateView(APIView):
    """The phone trades the observer's password for a bearer token, once, when signing in.

    Staff with an authenticator app send its code too; without it they are refused like a wrong password.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Sign in: trade a username and password for a token",
        request=io.TokenInput,
        responses={201: io.TokenOutput, **errors(400, 429)},
        examples=[EXAMPLES["token_in"], EXAMPLES["token_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(io.TokenInput, request.data)
        user = authenticate_with_code(
            request, username=data["username"], password=data["password"], code=data["code"]
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=lockout_message(), code="locked_out")
            # Same words for a wrong password, a missing or wrong code, an unknown name and a disabled
            # account: no answer tells a guesser which of them they got right.
            raise exceptions.ValidationError(
                _("The username or password is wrong."), code="invalid_credentials"
            )
        token, key = token_issue(user=user)
        body = {"token": key, "expires_at": token.expires_at, "username": user.get_username()}
        return Response(io.TokenOutput(body).data, status=201)


class MeView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Who am I: organizations, roles and assigned stations",
        parameters=[RETRY_AFTER],
        responses={200: io.MeOutput, **errors(401, 429)},
        examples=[EXAMPLES["me"]],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = memberships_for_user(user)
        body = {
            "username": user.get_username(),
            "organizations": memberships,
            "stations": assigned_stations(user),
        }
        if any(m.role == Role.OBSERVER and m.roaming for m in memberships):
            body["roaming_districts"] = roaming_district_numbers(user)
        return Response(io.MeOutput(body).data)


class CheckInCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Check in at a station (all clear counts too)",
        parameters=[RETRY_AFTER],
        request=CheckInInputSchema,
        responses={**created_or_found_responses(io.CheckInOutput), **errors(400, 401, 403, 404, 429)},
        examples=[EXAMPLES["checkin_in"], EXAMPLES["checkin_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(io.CheckInInput, request.data)
        checkin, created = checkin_create(observer=request.user, **data)
        return created_or_found(io.render(io.CheckInOutput, checkin), created)


class ReportPagination(PageNumberPagination):
    page_size = 50


class ReportListCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="My reports, newest first, 50 a page",
        parameters=[MINE, PAGE, RETRY_AFTER],
        responses={200: ReportPageSerializer, **errors(400, 401, 404, 429)},
        examples=[EXAMPLES["reports"]],
    )
    def get(self, request: Request) -> Response:
        parse(io.ReportListQuery, request.query_params)
        reports = (
            reports_list_for_observer(request.user)
            .prefetch_related("photos")
            .order_by("-occurred_at", "-received_at", "-id")
        )
        paginator = ReportPagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(
            io.ReportOutput(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Report an incident, with up to 6 photos",
        parameters=[RETRY_AFTER],
        request={"multipart/form-data": ReportInputSchema},
        responses={**created_or_found_responses(io.ReportOutput), **errors(400, 401, 403, 404, 429)},
        examples=[EXAMPLES["report"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(io.ReportInput, request.data)
        report, created = report_submit(observer=request.user, **data)
        if created and not data["photos"]:
            return created_or_found(io.render(io.NewReportOutput, report), created)
        return created_or_found(io.ReportOutput(report, context={"request": request}).data, created)


class PhotoCreateView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Add a photo to one of my reports",
        parameters=[REPORT, RETRY_AFTER],
        request={"multipart/form-data": io.PhotoInput},
        responses={**created_or_found_responses(io.PhotoOutput), **errors(400, 401, 403, 404, 429)},
        examples=[EXAMPLES["photo"]],
    )
    def post(self, request: Request, report_id) -> Response:
        data = parse(io.PhotoInput, request.data)
        photo, created = photo_attach(
            observer=request.user, report_id=report_id, id=data["id"], upload=data["photo"]
        )
        return created_or_found(io.PhotoOutput(photo, context={"request": request}).data, created)


class AnswerCreateView(ObserverAPIView):
    """The observer answers a reviewer's question; the report goes back to the review queue."""

    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Answer a reviewer's question",
        parameters=[REPORT, RETRY_AFTER],
        request=io.AnswerInput,
        responses={200: io.ReportOutput, **errors(400, 401, 403, 404, 429)},
        examples=[EXAMPLES["answer"], EXAMPLES["report"]],
    )
    def post(self, request: Request, report_id) -> Response:
        data = parse(io.AnswerInput, request.data)
        report = report_answer(observer=request.user, report_id=report_id, answer=data["answer"])
        return Response(io.ReportOutput(report, context={"request": request}).data)
