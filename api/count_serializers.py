"""The observer API's counts: input serializers check the shape only (the rules live in
counts/services.py); output serializers render."""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import MAX_INT, AwareDateTimeField, ChoiceLabelField, StationBriefOutput
from counts.arithmetic import RULES

# A choice's code is a slug of at most 32 characters (counts.models.Choice); a ballot has far
# fewer than this many lines.
MAX_CODE = 32
MAX_CHOICES = 500


class CountField(serializers.IntegerField):
    """A whole number that fits the database; its range is a rule of the services."""

    def __init__(self, **kwargs):
        super().__init__(min_value=-MAX_INT, max_value=MAX_INT, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "description": 'A JSON object of choice code to votes, for example {"amanat": 412, "auyl": 80}.',
    }
)
class VotesField(serializers.Field):
    """The votes as a JSON object of code → whole number: a string in a multipart form, or an
    object in a JSON body."""

    default_error_messages = {
        "invalid": _("Give the votes as a JSON object that maps each choice's code to a whole number."),
    }

    def to_internal_value(self, data) -> dict[str, int]:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict) or len(data) > MAX_CHOICES:
            self.fail("invalid")
        for code, votes in data.items():
            whole = isinstance(votes, int) and not isinstance(votes, bool)
            if len(code) > MAX_CODE or not whole or abs(votes) > MAX_INT:
                self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class TurnoutCountInput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id", min_value=1, max_value=MAX_INT)
    counted_at = AwareDateTimeField()
    voters = CountField()
    method = serializers.CharField()
    note = serializers.CharField(allow_blank=True, default="")


class ProtocolInput(serializers.Serializer):
    id = serializers.UUIDField()
    station = serializers.IntegerField(source="station_id", min_value=1, max_value=MAX_INT)
    contest = serializers.CharField(source="contest_code", max_length=MAX_CODE)
    registered = CountField()
    received = CountField()
    issued = CountField()
    cancelled = CountField()
    lost = CountField(default=0)
    in_boxes = CountField()
    invalid = CountField()
    valid = CountField()
    votes = VotesField()
    # Optional here so that the service's message ("Add a photo of the protocol…") is the one shown.
    photo = serializers.FileField(required=False, default=None)
    captured_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(allow_blank=True, default="")


class ContestQuery(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class TurnoutCountOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = StationBriefOutput()
    counted_at = serializers.DateTimeField()
    voters = serializers.IntegerField()
    method = serializers.CharField()
    method_label = ChoiceLabelField("method")
    note = serializers.CharField()
    received_at = serializers.DateTimeField()


class ContestBriefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FailureOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ProtocolPhotoOutput(serializers.Serializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sha256 = serializers.CharField()
    captured_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, copy) -> str:
        return self.context["request"].build_absolute_uri(reverse("observe:protocol_photo", args=[copy.id]))

    def get_thumbnail_url(self, copy) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("observe:protocol_thumbnail", args=[copy.id])
        )


class ProtocolOutput(serializers.Serializer):
    id = serializers.UUIDField()
    station = StationBriefOutput()
    contest = ContestBriefOutput()
    registered = serializers.IntegerField()
    received = serializers.IntegerField()
    issued = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    lost = serializers.IntegerField()
    in_boxes = serializers.IntegerField()
    invalid = serializers.IntegerField()
    valid = serializers.IntegerField()
    votes = serializers.DictField(child=serializers.IntegerField())
    # The arithmetic rules the copy breaks, with the words the phone shows; empty when it adds up.
    failures = serializers.SerializerMethodField()
    note = serializers.CharField()
    photo = ProtocolPhotoOutput(source="*")
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    received_at = serializers.DateTimeField()

    @extend_schema_field(FailureOutput(many=True))
    def get_failures(self, copy) -> list[dict[str, str]]:
        return [
            {"code": code, "message": str(RULES[code].message)} for code in copy.failures if code in RULES
        ]


class ChoiceOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ContestOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    # Only the choices on the station's ballot: the parties, and the candidates of its district.
    choices = ChoiceOutput(many=True)
