"""Complaints to election commissions, for partners: counts per district by status and outcome over
every organization's filed complaints (scores:read), and the texts of the filed complaints of
organizations that share (incidents:read), without any observer's identity."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view

from complaints.models import Complaint
from partners import complaint_serializers as io
from partners.complaints import (
    complaint_counts_by_district,
    district_counts_data,
    shared_complaint_data,
    shared_complaints,
)
from partners.filters import WholeNumberFilter
from partners.models import Scope
from partners.schema import DISTRICT_FILTER, ELECTION, SLUG, partner_list
from partners.views.base import DistrictCountsFilter, ElectionListView, cursor_pages
from stations.models import District

COUNTS_EXAMPLE = {
    "number": 3,
    "name": "Almaty, Almaly district",
    "filed": 4,
    "overdue": 1,
    "status": {"filed": 1, "answered": 1, "appealed": 1, "closed": 1},
    "outcome": {"upheld": 0, "rejected": 1, "no_answer": 1, "none": 2},
}
TEXT_EXAMPLE = {
    "id": 42,
    "election": SLUG,
    "station": "0412",
    "district": 3,
    "addressee_kind": "precinct",
    "addressee": "precinct election commission of polling station No. 0412",
    "language": "ru",
    "signed_by": "observer",
    "filed_at": "2023-03-19T09:10:00Z",
    "deadline_at": "2023-03-24T09:10:00Z",
    "status": "answered",
    "outcome": "rejected",
    "answer_at": "2023-03-21T06:00:00Z",
    "appeal_of": None,
    "text": "To the precinct election commission … From: […] …",
    "answer_text": "The facts were not confirmed.",
}


class ComplaintFilter(django_filters.FilterSet):
    district = WholeNumberFilter(
        field_name="district__number", help_text=_("District number: only its complaints.")
    )

    class Meta:
        model = Complaint
        fields = ["district"]


@extend_schema_view(
    get=partner_list(
        io.DistrictComplaintsOutput,
        summary="Complaints to election commissions per district, by status and outcome (scores:read)",
        description=(
            "Every district of the election by number, with the complaints filed with or about its "
            "commissions by every organization, counted by status and outcome, and those overdue "
            "(filed, unanswered, past the legal deadline). Drafts are not counted."
        ),
        example=COUNTS_EXAMPLE,
        csv=False,
        filtered=True,
        parameters=[ELECTION, DISTRICT_FILTER],
    )
)
class ComplaintCountsView(ElectionListView):
    required_scope = Scope.SCORES_READ
    serializer_class = io.DistrictComplaintsOutput
    filterset_class = DistrictCountsFilter
    pagination_class = cursor_pages("number")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no election to read
            return District.objects.none()
        return complaint_counts_by_district(self.election)

    def page_data(self, page) -> list[dict]:
        return [district_counts_data(district) for district in page]


@extend_schema_view(
    get=partner_list(
        io.SharedComplaintOutput,
        summary="Texts of filed complaints of the organizations that share (incidents:read)",
        description=(
            "Filed complaints of the organizations that share with partners, newest filing first. "
            "Every name, username, e-mail address and phone number of the complainant and of the "
            "observers behind the complaint is replaced by […] in the text and the answer; "
            "`signed_by` says only whether an observer or the organization's representative signed."
        ),
        example=TEXT_EXAMPLE,
        csv=False,
        filtered=True,
        parameters=[ELECTION, DISTRICT_FILTER],
    )
)
class SharedComplaintListView(ElectionListView):
    required_scope = Scope.INCIDENTS_READ
    serializer_class = io.SharedComplaintOutput
    filterset_class = ComplaintFilter
    pagination_class = cursor_pages("-filed_at", "-id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return shared_complaints(self.election)

    def page_data(self, page) -> list[dict]:
        return shared_complaint_data(list(page))
