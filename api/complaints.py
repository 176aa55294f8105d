"""The observer API's complaints: those filed in the observer's own name (with their consent), and
each one's PDF to print and hand in at the station. Anyone else's complaint, a draft, or a
complaint signed by the organization's representative is 404, as a missing one is.

Each view parses its input, calls one selector, and renders, like api/views.py.
"""

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api import complaint_serializers as io
from api.schema import OBSERVER_TAG
from api.views import ObserverAPIView
from complaints.documents import complaint_pdf_now
from complaints.selectors import (
    complaint_get_for_observer,
    complaint_stored_pdf,
    complaints_filed_for_observer,
)
from core.api_schema import RETRY_AFTER, errors
from core.storage import stored_file_response

COMPLAINT_EXAMPLE = {
    "id": 42,
    "election": "majilis-2023-demo",
    "station": {"number": "0412", "name": "School 5", "address": "Abai St. 1"},
    "district": {"number": 3, "name": "Almaty, Almaly district"},
    "addressee": "precinct election commission of polling station No. 0412",
    "addressee_kind": "precinct",
    "language": "kk",
    "filed_at": "2023-03-19T09:10:00Z",
    "filed_how": "in_person",
    "incoming_number": "17",
    "deadline_at": "2023-03-24T09:10:00Z",
    "overdue": False,
    "status": "answered",
    "status_label": "answered",
    "outcome": "rejected",
    "answer_at": "2023-03-21T06:00:00Z",
    "appeal_of": None,
    "pdf_url": "https://baqylau.example.org/api/v1/complaints/42/pdf/",
}
COMPLAINT_ID = OpenApiParameter(
    "complaint_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The complaint's id, as listed."
)
PDF_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["pdf"],
    description="Optional: the answer is the PDF whatever is asked (errors come as JSON).",
)
PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Page number, from 1; 50 complaints a page."
)


class ComplaintPagination(PageNumberPagination):
    page_size = 50


class ComplaintListView(ObserverAPIView):
    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Complaints filed in my name, newest filing first, 50 a page",
        description=(
            "Only complaints already filed with a commission, and only those the observer signs: an "
            "organization files in an observer's name only with their recorded consent, otherwise its "
            "representative signs and the complaint is not listed here."
        ),
        parameters=[PAGE, RETRY_AFTER],
        responses={200: io.ComplaintPageSerializer, **errors(401, 404, 429)},
        examples=[
            OpenApiExample(
                "A page of complaints",
                value={"count": 1, "next": None, "previous": None, "results": [COMPLAINT_EXAMPLE]},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        paginator = ComplaintPagination()
        page = paginator.paginate_queryset(complaints_filed_for_observer(request.user), request, view=self)
        return paginator.get_paginated_response(
            io.ComplaintOutput(page, many=True, context={"request": request}).data
        )


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view answers the PDF itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class ComplaintPdfView(ObserverAPIView):
    renderer_classes = (JSONRenderer, PdfRenderer)

    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="The PDF of a complaint filed in my name",
        description=(
            "The complaint's text with its photos, each with its SHA-256 seal and capture time, as "
            "filed. The PDF the organization already made after filing when there is one, otherwise "
            "made now in the complaint's language."
        ),
        parameters=[COMPLAINT_ID, PDF_FORMAT, RETRY_AFTER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            # Errors are JSON even when a PDF was asked for.
            **{(status, "application/json"): response for status, response in errors(401, 404, 429).items()},
        },
    )
    def get(self, request: Request, complaint_id: int) -> HttpResponse:
        complaint = complaint_get_for_observer(user=request.user, complaint_id=complaint_id)
        name = f"complaint-{complaint.pk}.pdf"
        stored = complaint_stored_pdf(complaint)
        if stored is not None:
            response = stored_file_response(stored.pdf, content_type="application/pdf", filename=name)
        else:
            response = HttpResponse(complaint_pdf_now(complaint), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-cache"
        # The same address answers differently for another token: no cache may mix them up.
        patch_vary_headers(response, ["Authorization"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON in the API's one shape, even when a PDF was asked for.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
