"""What the partner API renders of complaints, field by field: the counts per district, and the
shared complaints' texts rendered from the dicts of partners.complaints, which took every observer's
identity out. No field names a person."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.models import Addressee, Outcome


class ComplaintStatusCounts(serializers.Serializer):
    filed = serializers.IntegerField(help_text=_("Filed, waiting for the commission's answer."))
    answered = serializers.IntegerField(help_text=_("The commission answered."))
    appealed = serializers.IntegerField(help_text=_("Appealed to the next commission up."))
    closed = serializers.IntegerField(help_text=_("Closed by the organization."))


class ComplaintOutcomeCounts(serializers.Serializer):
    upheld = serializers.IntegerField()
    rejected = serializers.IntegerField()
    no_answer = serializers.IntegerField(help_text=_("No answer came by the legal deadline."))
    none = serializers.IntegerField(help_text=_("No outcome yet."))


class DistrictComplaintsOutput(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("District number."))
    name = serializers.CharField()
    filed = serializers.IntegerField(
        help_text=_("Complaints filed with or about the district's commissions.")
    )
    overdue = serializers.IntegerField(help_text=_("Filed, unanswered, and past the legal deadline."))
    status = ComplaintStatusCounts()
    outcome = ComplaintOutcomeCounts()


class SharedComplaintOutput(serializers.Serializer):
    """A filed complaint of an organization that shares, without its complainant's identity."""

    id = serializers.IntegerField()
    election = serializers.SlugField()
    station = serializers.CharField(
        allow_null=True, help_text=_("Station number; null for a complaint about several stations.")
    )
    district = serializers.IntegerField(help_text=_("District number."))
    addressee_kind = serializers.ChoiceField(choices=Addressee.choices)
    addressee = serializers.CharField(help_text=_("The commission it was filed with."))
    language = serializers.CharField(help_text=_("kk, ru or en."))
    signed_by = serializers.ChoiceField(
        choices=[("observer", "observer"), ("representative", "representative")],
        help_text=_(
            "Whether an observer signed it (with their consent) or the organization's representative."
        ),
    )
    filed_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(help_text=_("When the commission's answer is due by law."))
    status = serializers.ChoiceField(
        choices=[(status, status) for status in ("filed", "answered", "appealed", "closed")]
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    answer_at = serializers.DateTimeField(allow_null=True)
    appeal_of = serializers.IntegerField(
        allow_null=True, help_text=_("For an appeal: the complaint appealed.")
    )
    text = serializers.CharField(
        help_text=_(
            "The complaint as filed, every name, username, e-mail address and phone number of its "
            "observers replaced by […]; the organization's representative, who signs in public, stays."
        )
    )
    answer_text = serializers.CharField(
        help_text=_("The commission's answer, redacted the same way; may be empty.")
    )
