"""What the observer API renders of the complaints filed in the observer's name; which complaints
those are is decided in complaints.selectors."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers import ChoiceLabelField


@extend_schema_serializer(component_name="ComplaintStation")
class StationOutput(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()


@extend_schema_serializer(component_name="ComplaintDistrict")
class DistrictOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class OutcomeField(serializers.CharField):
    """null until the commission answered (or its deadline passed and the complaint was appealed)."""

    def to_representation(self, value):
        return value or None


class ComplaintOutput(serializers.Serializer):
    id = serializers.IntegerField()
    election = serializers.CharField(source="election.slug")
    station = StationOutput(allow_null=True, help_text="null for a complaint about several stations.")
    district = DistrictOutput()
    addressee = serializers.CharField(source="addressee_name", help_text="The commission it was filed with.")
    addressee_kind = serializers.CharField(help_text="precinct, district or central.")
    language = serializers.CharField()
    filed_at = serializers.DateTimeField()
    filed_how = serializers.CharField()
    incoming_number = serializers.CharField(help_text="The number the commission gave it; may be empty.")
    deadline_at = serializers.DateTimeField(help_text="When the commission's answer is due by law.")
    overdue = serializers.BooleanField(
        source="is_overdue", help_text="Filed, not answered, and the deadline has passed."
    )
    status = serializers.CharField(help_text="filed, answered, appealed or closed.")
    status_label = ChoiceLabelField("status")
    outcome = OutcomeField(allow_null=True, help_text="upheld, rejected, no_answer, or null before one.")
    answer_at = serializers.DateTimeField(allow_null=True)
    appeal_of = serializers.IntegerField(
        source="appeal_of_id", allow_null=True, help_text="For an appeal: the complaint appealed."
    )
    pdf_url = serializers.SerializerMethodField(
        help_text="The complaint as PDF, to print and hand in: send the same `Authorization: Bearer` token."
    )

    def get_pdf_url(self, complaint) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:complaint_pdf", args=[complaint.pk]))


class ComplaintPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ComplaintOutput(many=True)
