"""Observers' safety alerts, for partners: a count per district over every organization (scores:read),
all raised and those not resolved. Never an alert itself: not who, not where, not why."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from outreach.selectors import alert_counts_by_district
from partners.models import Scope
from partners.schema import DISTRICT_FILTER, ELECTION, partner_list
from partners.views.base import DistrictCountsFilter, ElectionListView, cursor_pages
from stations.models import District


class DistrictAlertsOutput(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("District number."))
    name = serializers.CharField()
    alerts = serializers.IntegerField(
        help_text=_("Safety alerts observers raised at the district's stations.")
    )
    open = serializers.IntegerField(help_text=_("Of these, the ones not resolved yet."))


@extend_schema_view(
    get=partner_list(
        DistrictAlertsOutput,
        summary="Observers' safety alerts per district: counts only (scores:read)",
        description=(
            "Every district of the election by number, with the safety alerts observers of every "
            "organization raised at its stations (removed, detained, threatened, injured…), and how "
            "many are not resolved yet. Nothing else of an alert is ever published."
        ),
        example={"number": 3, "name": "Almaty, Almaly district", "alerts": 2, "open": 1},
        csv=False,
        filtered=True,
        parameters=[ELECTION, DISTRICT_FILTER],
    )
)
class AlertCountsView(ElectionListView):
    required_scope = Scope.SCORES_READ
    serializer_class = DistrictAlertsOutput
    filterset_class = DistrictCountsFilter
    pagination_class = cursor_pages("number")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no election to read
            return District.objects.none()
        return alert_counts_by_district(self.election)

    def page_data(self, page) -> list[dict]:
        return [{"number": d.number, "name": d.name, "alerts": d.alerts, "open": d.open_alerts} for d in page]
