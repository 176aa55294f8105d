"""The count, for partners: district estimates of turnout and shares against the official figures
(scores:read), and verified protocol copies beside the official results (incidents:read)."""

from functools import cached_property

import django_filters
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from counts.dashboard import CACHE_SECONDS, data_state, state_key
from counts.models import ProtocolCopy
from partners import selectors
from partners.counts import (
    PROTOCOL_COLUMNS,
    comparison_data,
    count_estimates_data,
    shared_count_summary,
    shared_protocols,
    sharing_state,
)
from partners.models import Scope
from partners.schema import (
    COUNT_ESTIMATES_EXAMPLE,
    DISTRICT_FILTER,
    ELECTION,
    PARTNER_TAG,
    RETRY_AFTER,
    errors,
    partner_list,
    response_example,
)
from partners.views.base import PartnerView, cursor_pages


class EstimateOutput(serializers.Serializer):
    estimate = serializers.FloatField(help_text=_("The ratio estimate, a share between 0 and 1."))
    standard_error = serializers.FloatField()
    margin_95 = serializers.FloatField()
    margin_99 = serializers.FloatField()
    interval_95 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    interval_99 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    stations = serializers.IntegerField(help_text=_("Stations with observers' numbers in the estimate."))
    population = serializers.IntegerField(help_text=_("Stations the estimate speaks for."))


class ShareOutput(serializers.Serializer):
    contest = serializers.CharField()
    choice = serializers.CharField()
    official = serializers.FloatField(allow_null=True)
    observed = EstimateOutput(allow_null=True)
    official_outside_99 = serializers.BooleanField()


class DistrictCountOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    stations = serializers.IntegerField()
    official_turnout = serializers.FloatField(allow_null=True)
    observed_turnout = EstimateOutput(allow_null=True)
    official_turnout_outside_99 = serializers.BooleanField(
        # xgettext:no-python-format
        help_text=_("The official turnout lies outside the 99 % interval of the observers' estimate.")
    )
    turnout_shortfall = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "δ: how far the official turnout exceeds the estimate, as a share of the official turnout."
        ),
    )
    protocols_compared = serializers.IntegerField()
    protocols_differing = serializers.IntegerField()
    shares = ShareOutput(many=True)


class NationalCountOutput(serializers.Serializer):
    official_turnout = serializers.FloatField(allow_null=True)
    observed_turnout = EstimateOutput(allow_null=True, help_text=_("Stratified by district."))
    official_turnout_outside_99 = serializers.BooleanField()


class CountEstimatesOutput(serializers.Serializer):
    election = serializers.SlugField()
    sample_used = serializers.BooleanField(
        help_text=_("True when the estimates use the random sample; otherwise every observed station.")
    )
    turnout_contest = serializers.CharField(allow_null=True)
    national = NationalCountOutput()
    districts = DistrictCountOutput(many=True)


class DifferenceOutput(serializers.Serializer):
    field = serializers.CharField(help_text=_("A protocol line, or a party's or candidate's code."))
    observed = serializers.IntegerField()
    official = serializers.IntegerField()


class ComparisonStation(serializers.Serializer):
    number = serializers.CharField()
    district = serializers.IntegerField()


class ComparisonOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = ComparisonStation()
    contest = serializers.CharField()
    verified_at = serializers.DateTimeField()
    official_imported = serializers.BooleanField()
    differences = DifferenceOutput(many=True, help_text=_("Empty when the copy matches the official result."))


class ElectionView(PartnerView):
    @cached_property
    def election(self):
        return selectors.election_get_for_partner(slug=self.kwargs["slug"])


@extend_schema_view(
    get=extend_schema(
        tags=[PARTNER_TAG],
        summary="District estimates of turnout and shares against the official figures (scores:read)",
        parameters=[ELECTION, RETRY_AFTER],
        responses={200: CountEstimatesOutput, **errors(401, 403, 404, 429)},
        examples=[response_example("Almaty district 7", COUNT_ESTIMATES_EXAMPLE)],
    )
)
class CountEstimatesView(ElectionView):
    """Per district, the observers' estimate of turnout and of each choice's share (ratio estimator
    with margins of error at 95 % and 99 % and the finite-population correction) against the
    official figures, the turnout shortfall δ and the number of differing protocol copies; all
    from verified copies and turnout counts of organizations that share with partners."""

    required_scope = Scope.SCORES_READ
    serializer_class = CountEstimatesOutput

    def get(self, request, *args, **kwargs):
        # The dashboard's key, which changes as soon as results, copies or counts do, and which
        # organizations share.
        key = f"partner-{state_key(data_state(self.election))}-{sharing_state()}"
        data = cache.get(key)
        if data is None:
            data = count_estimates_data(self.election, shared_count_summary(self.election))
            cache.set(key, data, CACHE_SECONDS)
        return Response(data)


class ComparisonFilter(django_filters.FilterSet):
    district = django_filters.NumberFilter(field_name="station__district__number", min_value=1)

    class Meta:
        model = ProtocolCopy
        fields = ["district"]


@extend_schema_view(
    get=partner_list(
        ComparisonOutput,
        summary="Verified protocol copies beside the official results (incidents:read)",
        example={
            "id": "3c6e0b8a-2f1d-4e5b-9a7c-0d1e2f3a4b5c",
            "station": {"number": "0412", "district": 3},
            "contest": "party_list",
            "verified_at": "2023-03-19T23:40:00+06:00",
            "official_imported": True,
            "differences": [{"field": "amanat", "observed": 212, "official": 530}],
        },
        csv=False,
        filtered=True,
        parameters=[ELECTION, DISTRICT_FILTER],
    )
)
class ProtocolComparisonListView(ElectionView, generics.ListAPIView):
    """Verified protocol copies of organizations that share with partners, each beside its
    station's official result; `differences` lists every line that is not the same."""

    required_scope = Scope.INCIDENTS_READ
    serializer_class = ComparisonOutput
    filterset_class = ComparisonFilter
    pagination_class = cursor_pages("reviewed_at", "id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProtocolCopy.objects.none()
        return shared_protocols(self.election).values(*PROTOCOL_COLUMNS)

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ComparisonOutput(comparison_data(page), many=True).data)
