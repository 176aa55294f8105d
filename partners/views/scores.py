"""Elections, their districts' integrity scores, and their stations' indicators (scores:read)."""

from functools import cached_property

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response

from partners import exports, selectors
from partners import schema as partner_schema
from partners import serializers as io
from partners.filters import StationFilter
from partners.indicators import indicators_for_partners
from partners.models import Scope
from partners.presenters import district_data, station_data
from partners.views.base import ConditionalMixin, ExportableListView, PartnerView, cursor_pages
from stations.models import District, PollingStation


@extend_schema_view(get=partner_schema.ELECTIONS)
class ElectionListView(ExportableListView):
    """The elections whose scores and incidents partners can read, newest first."""

    required_scope = Scope.SCORES_READ
    renderer_classes = ExportableListView.renderer_classes[:1]
    serializer_class = io.ElectionOutput
    pagination_class = cursor_pages("-date", "slug")

    def get_queryset(self):
        return selectors.elections_for_partners()


class ElectionMixin(ConditionalMixin):
    """Views under /elections/<slug>/: the election is read once, and the ETag follows its scores."""

    @cached_property
    def election(self):
        return selectors.election_get_for_partner(slug=self.kwargs["slug"])

    def version(self):
        version = selectors.election_version(self.election)
        changes = (version["published_at"], version["stations_changed"], version["shared_changed"])
        moments = [at for at in changes if at is not None]
        return tuple(version.values()), max(moments).timestamp() if moments else None

    def get(self, request, *args, **kwargs):
        return self.dispatch_conditional(
            request, lambda: super(ElectionMixin, self).get(request, *args, **kwargs)
        )


@extend_schema_view(get=partner_schema.DISTRICTS)
class DistrictListView(ElectionMixin, ExportableListView):
    """Every district of the election with its current integrity score, its three parts and its
    coverage; a district not scored yet has null score parts and coverage "insufficient"."""

    required_scope = Scope.SCORES_READ
    serializer_class = io.DistrictOutput
    pagination_class = cursor_pages("number")
    export_name = "districts"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no election to read
            return District.objects.none()
        return selectors.districts_for_partners(self.election)

    def page_data(self, page) -> list:
        return io.DistrictOutput([district_data(district) for district in page], many=True).data

    def csv_rows(self, queryset):
        return exports.district_rows(queryset.order_by("number"))


@extend_schema_view(get=partner_schema.DISTRICT)
class DistrictDetailView(ElectionMixin, PartnerView):
    """One district of the election by its number, as in the districts list."""

    required_scope = Scope.SCORES_READ
    serializer_class = io.DistrictOutput

    def get(self, request, *args, **kwargs):
        return self.dispatch_conditional(request, self.retrieve)

    def retrieve(self):
        district = (
            selectors.districts_for_partners(self.election).filter(number=self.kwargs["number"]).first()
        )
        if district is None:
            raise exceptions.NotFound(_("No such district in this election."))
        return Response(io.DistrictOutput(district_data(district)).data)


@extend_schema_view(get=partner_schema.STATIONS)
class StationListView(ElectionMixin, ExportableListView):
    """The election's polling stations with their current indicator: Y, worst severity and incidents.
    Nothing about observers: no check-ins, no assignments."""

    required_scope = Scope.SCORES_READ
    serializer_class = io.StationOutput
    filterset_class = StationFilter
    pagination_class = cursor_pages("number", "id")
    export_name = "stations"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no election to read
            return PollingStation.objects.none()
        return selectors.stations_for_partners(self.election)

    def page_data(self, page) -> list:
        indicators = indicators_for_partners(
            election_id=self.election.pk, station_ids=[station.pk for station in page]
        )
        rows = [station_data(station, indicators.get(station.pk)) for station in page]
        return io.StationOutput(rows, many=True).data

    def csv_rows(self, queryset):
        return exports.station_rows(queryset.order_by("number", "id"), self.election.pk)


@extend_schema_view(get=partner_schema.STATIONS_GEOJSON)
class StationGeoJsonView(ElectionMixin, PartnerView):
    """The stations as a GeoJSON FeatureCollection (needs scores:read and exports:read). A station
    without a published position is kept, with a null geometry."""

    required_scope = Scope.SCORES_READ
    serializer_class = io.StationFeatureCollection
    filterset_class = StationFilter

    def check_permissions(self, request):
        super().check_permissions(request)
        self.require_scope(request, Scope.EXPORTS_READ)

    def request_cost(self, request) -> int:
        return settings.PARTNER_EXPORT_COST

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema has no election to read
            return PollingStation.objects.none()
        return selectors.stations_for_partners(self.election).order_by("number", "id")

    def get(self, request, *args, **kwargs):
        stations = self.filter_queryset(self.get_queryset())
        filename = f"{self.election.slug}-stations.geojson"
        return self.dispatch_conditional(
            request,
            lambda: self.held_export(
                request, lambda: exports.geojson_response(stations, self.election.pk, filename)
            ),
        )
