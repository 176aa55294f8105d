"""Query filters of the partner lists. A malformed value answers 400 naming the parameter."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import IncidentReport
from reports.taxonomy import Category, Phase, Severity
from stations.models import PollingStation

# The largest value of the database's integer columns.
MAX_INT = 2_147_483_647


class WholeNumberFilter(django_filters.NumberFilter):
    """A number that must be whole: `district=1.5` is a mistake to answer with 400, not district 1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_INT, **kwargs)


class IncidentFilter(django_filters.FilterSet):
    election = django_filters.CharFilter(
        field_name="election__slug", help_text=_("Election slug, as in /api/v1/elections/.")
    )
    district = WholeNumberFilter(
        field_name="station__district__number",
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
    district = WholeNumberFilter(field_name="district__number", help_text=_("District number."))
    # Strictly true or false: a typo must not silently list every station.
    in_sample = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=_("true: only stations of the random sample; false: the others."),
    )

    class Meta:
        model = PollingStation
        fields = ["district", "in_sample"]
