"""Input serializers check the shape of a request; output serializers render. Rules live in services."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

MICRODEGREE = Decimal("0.000001")
# The largest value of the database's integer columns; a bigger number is malformed, not a rule.
MAX_INT = 2_147_483_647


# One instance of each serializer class that render() or api.views.parse() used.
_shared: dict[type[serializers.Serializer], serializers.Serializer] = {}


def shared(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The one instance of `serializer_class` that renders and validates for every request.

    DRF builds every declared field of a serializer anew for each instance, a tenth of the time of
    a phone's report, check-in or count: here they are built once per class. Rendering with
    to_representation() and validating with run_validation() keep no state on the instance.
    """
    serializer = _shared.get(serializer_class)
    if serializer is None:
        serializer = _shared.setdefault(serializer_class, serializer_class())
    return serializer


def render(serializer_class: type[serializers.Serializer], instance) -> dict:
    """What `serializer_class(instance).data` gives, for an output that needs no request."""
    return shared(serializer_class).to_representation(instance)


# {(model, field name): {value: label}}, filled on first use; the labels stay lazy (translated when shown).
_choice_labels: dict[tuple[type, str], dict] = {}


class ChoiceLabelField(serializers.CharField):
    """The label of a row's choice in the request's language: what `get_<field>_display()` gives,
    with the model field's choices read once rather than rebuilt for every row rendered."""

    def __init__(self, field_name: str, **kwargs):
        self.field_name_of_choice = field_name
        super().__init__(**kwargs)

    def get_attribute(self, instance) -> str:
        key = (type(instance), self.field_name_of_choice)
        labels = _choice_labels.get(key)
        if labels is None:
            labels = dict(type(instance)._meta.get_field(self.field_name_of_choice).flatchoices)
            _choice_labels[key] = labels
        value = getattr(instance, self.field_name_of_choice)
        return str(labels.get(value, value))


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset. A phone's clock without its zone is ambiguous by hours: refused."""

    default_error_messages = {
        "naive": _("Give the time with its offset, for example 2023-03-19T09:30:00+06:00."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class CoordinateField(serializers.DecimalField):
    """Degrees, rounded to a micro-degree (about 10 cm): phones send more decimals than that."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=6, **kwargs)

    def validate_precision(self, value):
        # Only numbers of a plausible size are rounded; the rest fail the precision check below.
        if value.adjusted() < 3:
            value = value.quantize(MICRODEGREE)
        return super().validate_precision(value)


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    # Only for staff who turned on two-factor sign-in: the 6 digits their authenticator app shows.
    code = serializers.CharField(max_length=12, allow_blank=True, default="")


class CheckInInput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id", min_value=1, max_value=MAX_INT)
    kind = serializers.CharField()
    at = AwareDateTimeField()
    all_clear = serializers.BooleanField(default=False)
    note = serializers.CharField(allow_blank=True, default="")


class ReportInput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id", min_value=1, max_value=MAX_INT)
    category = serializers.CharField()
    phase = serializers.CharField()
    occurred_at = AwareDateTimeField()
    description = serializers.CharField(allow_blank=True, default="")
    latitude = CoordinateField(allow_null=True, default=None)
    longitude = CoordinateField(allow_null=True, default=None)
    accuracy_m = serializers.IntegerField(allow_null=True, default=None, max_value=MAX_INT)
    photos = serializers.ListField(child=serializers.FileField(), default=list)


class PhotoInput(serializers.Serializer):
    id = serializers.UUIDField()
    photo = serializers.FileField()


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=True)


class ReportListQuery(serializers.Serializer):
    mine = serializers.BooleanField()

    def validate_mine(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Only your own reports are listed here: ask with mine=true."))
        return value


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    username = serializers.CharField()


class MembershipOutput(serializers.Serializer):
    name = serializers.CharField(source="organization.name")
    slug = serializers.CharField(source="organization.slug")
    role = serializers.CharField()
    roaming = serializers.BooleanField()


# The partner API has district and station serializers of its own: distinct names in the schema.
@extend_schema_serializer(component_name="StationDistrict")
class DistrictOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="AssignedStation")
class StationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    district = DistrictOutput()
    election = serializers.CharField(source="election.slug")


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    organizations = MembershipOutput(many=True)
    stations = StationOutput(many=True)
    # Only for roaming observers: they may report on any station of these districts.
    roaming_districts = serializers.ListField(child=serializers.IntegerField(), required=False)


class CheckInOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id")
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    all_clear = serializers.BooleanField()
    note = serializers.CharField()
    received_at = serializers.DateTimeField()


class PhotoOutput(serializers.Serializer):
    id = serializers.UUIDField()
    # Both links answer the same token as the API (or a browser session): the owner and their staff.
    url = serializers.SerializerMethodField(
        help_text="The stripped photo, as JPEG: send the same `Authorization: Bearer` token as to the API."
    )
    thumbnail_url = serializers.SerializerMethodField(
        help_text="Its thumbnail, at most 320 pixels on its longest side; the same token."
    )
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sha256 = serializers.CharField()
    captured_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(reverse("observe:photo", args=[photo.id]))

    def get_thumbnail_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(reverse("observe:photo_thumbnail", args=[photo.id]))


class StationBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()


class ReportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = StationBriefOutput()
    category = serializers.CharField()
    category_label = ChoiceLabelField("category")
    severity = serializers.IntegerField()
    phase = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    description = serializers.CharField()
    # allow_null here only tells the schema: a report sent without a position has none.
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    accuracy_m = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    question = serializers.CharField()
    photos = PhotoOutput(many=True)
    received_at = serializers.DateTimeField()


class NewReportOutput(ReportOutput):
    """A report just filed without photos: it has none, and its answer says so without asking the
    database (the schema documents ReportOutput, which this renders the same)."""

    photos = serializers.SerializerMethodField()

    def get_photos(self, report) -> list:
        return []
