"""What the partner API renders. Every field is listed here by name: a field not listed is never
sent, so adding a column to a model can never leak it to partners.

Districts and stations are rendered from the plain dicts of partners.presenters, which the CSV
exports share, so the JSON and the CSV always say the same.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integrity.models import Band, Coverage
from partners.photos import photo_url
from reports.taxonomy import Category, Phase, Severity


class Interval(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True, **kwargs
        )


class ElectionOutput(serializers.Serializer):
    slug = serializers.SlugField(help_text=_("Identifies the election in every other partner URL."))
    name = serializers.CharField()
    date = serializers.DateField(help_text=_("Election day."))
    timezone = serializers.CharField(help_text=_("IANA time zone of the election's polling stations."))


class ProcessPart(serializers.Serializer):
    risk = serializers.FloatField(
        allow_null=True,
        help_text=_("Process risk R_P from verified incidents, 0 to 1; null without a score."),
    )
    # xgettext:no-python-format
    interval_80 = Interval(help_text=_("80 % interval of the process risk [low, high]."))
    explanation = serializers.CharField(allow_null=True)


class CountPart(serializers.Serializer):
    risk = serializers.FloatField(
        help_text=_("Count risk R_C from protocol copies and the observers' counts, 0 to 1.")
    )
    # xgettext:no-python-format
    interval_80 = Interval(help_text=_("80 % interval of the count risk [low, high]."))
    explanation = serializers.CharField(allow_null=True)


class ForensicPart(serializers.Serializer):
    flags = serializers.FloatField(
        help_text=_("Weighted number of statistical flags on the official numbers.")
    )
    penalty = serializers.FloatField(allow_null=True, help_text=_("Points the flags take off the score."))
    explanation = serializers.CharField(allow_null=True)


class Components(serializers.Serializer):
    process = ProcessPart()
    count = CountPart()
    forensic = ForensicPart()


class DistrictOutput(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("District number, unique within the election."))
    name = serializers.CharField()
    region = serializers.CharField(help_text=_("Name of the district's region."))
    score = serializers.FloatField(
        allow_null=True,
        help_text=_("Integrity score 0-100; null while coverage is insufficient or before scoring."),
    )
    # xgettext:no-python-format
    interval_80 = Interval(help_text=_("80 % interval of the score [low, high]."))
    # xgettext:no-python-format
    interval_95 = Interval(help_text=_("95 % interval of the score [low, high]."))
    band = serializers.ChoiceField(
        choices=Band.choices,
        allow_null=True,
        help_text=_(
            # xgettext:no-python-format
            "Named only when the 80 % interval lies inside one band; otherwise see band_range."
        ),
    )
    band_range = serializers.ListField(
        child=serializers.ChoiceField(choices=Band.choices),
        allow_null=True,
        help_text=_(
            # xgettext:no-python-format
            "[upper, lower]: the bands of the 80 % interval's ends when they differ; else null."
        ),
    )
    coverage_grade = serializers.ChoiceField(
        choices=Coverage.choices, help_text=_('A, B or C, or "insufficient" (no score, or not scored yet).')
    )
    observed_stations = serializers.IntegerField(
        allow_null=True, help_text=_("Stations with an observer's check-in when the score was computed.")
    )
    sample_stations = serializers.IntegerField(help_text=_("Stations of the district in the random sample."))
    total_stations = serializers.IntegerField(help_text=_("Polling stations of the district."))
    components = Components(
        allow_null=True, help_text=_("The three parts of the score; null before scoring.")
    )
    computed_at = serializers.DateTimeField(allow_null=True, help_text=_("When the score was computed."))


class Indicator(serializers.Serializer):
    y = serializers.FloatField(help_text=_("Station indicator Y, 0 to 1, at its worst severity."))
    severity = serializers.ChoiceField(
        choices=Severity.choices, allow_null=True, help_text=_("Worst severity with Y above 0.")
    )
    incidents = serializers.IntegerField(help_text=_("Distinct incidents counted at the station."))


class StationOutput(serializers.Serializer):
    number = serializers.CharField(help_text=_("Station number, unique within the election."))
    name = serializers.CharField()
    address = serializers.CharField()
    district = serializers.IntegerField(help_text=_("District number."))
    region = serializers.CharField()
    in_sample = serializers.BooleanField(help_text=_("Drawn into the random observation sample."))
    registered_voters = serializers.IntegerField()
    latitude = serializers.FloatField(
        allow_null=True, help_text=_("The polling station's published position.")
    )
    longitude = serializers.FloatField(allow_null=True)
    indicator = Indicator(allow_null=True, help_text=_("Null while no incident was reported at the station."))


class StationProperties(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    district = serializers.IntegerField()
    region = serializers.CharField()
    in_sample = serializers.BooleanField()
    registered_voters = serializers.IntegerField()
    indicator = Indicator(allow_null=True)


class PointGeometry(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("Point", "Point")])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text=_("[longitude, latitude]")
    )


class StationFeature(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("Feature", "Feature")])
    id = serializers.CharField(help_text=_("The station number."))
    geometry = PointGeometry(allow_null=True, help_text=_("Null for a station without a published position."))
    properties = StationProperties()


class StationFeatureCollection(serializers.Serializer):
    """What GET /elections/{slug}/stations.geojson streams (GeoJSON, RFC 7946)."""

    type = serializers.ChoiceField(choices=[("FeatureCollection", "FeatureCollection")])
    features = StationFeature(many=True)


class IncidentStation(serializers.Serializer):
    number = serializers.CharField(source="station.number")
    district = serializers.IntegerField(source="station.district.number", help_text=_("District number."))
    region = serializers.CharField(source="station.region.name")


class IncidentPhoto(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.SerializerMethodField(
        help_text=_("Signed link to the photo, stripped of all metadata.")
    )
    thumbnail_url = serializers.SerializerMethodField(help_text=_("Signed link to a small version."))
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, photo) -> str:
        return photo_url(self.context["request"], photo.id, "image")

    def get_thumbnail_url(self, photo) -> str:
        return photo_url(self.context["request"], photo.id, "thumbnail")


class Photos(serializers.ListField):
    """The report's photos for a key with photos:read (prefetched by the selector), else none."""

    def get_attribute(self, instance):
        return instance.photos.all() if self.context.get("with_photos") else []


class IncidentOutput(serializers.Serializer):
    """A verified incident, without anything that could identify the observer who reported it."""

    id = serializers.UUIDField()
    election = serializers.SlugField(source="election.slug")
    station = IncidentStation(source="*")
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(
        choices=Severity.choices, help_text=_("5 changes results, 3 serious, 1 procedural.")
    )
    phase = serializers.ChoiceField(choices=Phase.choices)
    occurred_at = serializers.DateTimeField()
    description = serializers.CharField(
        source="shown_description",
        help_text=_(
            "The observer's account as verified by a reviewer, with any names or phone numbers of "
            "private people taken out by the reviewer."
        ),
    )
    corroborations = serializers.IntegerField(
        help_text=_(
            "Verified, shared reports by other observers of the same category at the station within "
            "60 minutes."
        )
    )
    updated_at = serializers.DateTimeField(help_text=_("Last change to the report; `since` filters on it."))
    photos = Photos(
        child=IncidentPhoto(),
        help_text=_(
            "Signed links valid for a few minutes; always an empty list when the key lacks photos:read."
        ),
    )
