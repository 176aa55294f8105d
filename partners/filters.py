"""Query filters of the partner lists. A malformed value answers 400 naming the parameter."""

import django_filters
from django.utils.translation import gettext_lazy as _

from reports.models import IncidentReport
from reports.taxonomy import Category, Phase, Severity
from stations.models import PollingStation


class IncidentFilter(django_filters.FilterSet):
    election = django_filters.CharFilter(
        field_name="election__slug", help_text=_("Election slug, as in /api/v1/elections/.")
    )
    district = django_filters.NumberFilter(
        field_name="station__district__number",
        min_value=1,
        help_text=_("District number; combine with election when several elections are stored."),
    )
    region = django_filters.CharFilter(
        field_name="station__region__name", lookup_expr="iexact", help_text=_("Region name (any case).")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices)
    severity = django_filters.TypedChoiceFilter(choices=Severity.choices, coerce=int)
    phase = django_filters.ChoiceFilter(choices=Phase.choices)
    since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "ISO 8601 time: only incidents changed (verified, or edited by a reviewer) at or after it; "
            "poll with the newest updated_at seen."
        ),
    )

    class Meta:
        model = IncidentReport
        fields = ["election", "district", "region", "category", "severity", "phase", "since"]


class StationFilter(django_filters.FilterSet):
    district = django_filters.NumberFilter(
        field_name="district__number", min_value=1, help_text=_("District number.")
    )
    # Strictly true or false: a typo must not silently list every station.
    in_sample = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=_("true: only stations of the random sample; false: the others."),
    )

    class Meta:
        model = PollingStation
        fields = ["district", "in_sample"]
