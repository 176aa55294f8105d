"""The observer API's checklists: input serializers check the shape only (the answers are checked
against the version's definition by checklists.validation); output serializers render."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import MAX_INT, AwareDateTimeField
from checklists.models import Kind
from checklists.texts import localized

MAX_CODE = 40


class ChecklistQuery(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class AnswersField(serializers.JSONField):
    """The answers, an object of question code to answer; each answer is the validator's business."""

    default_error_messages = {"not_object": _("Give the answers as an object of question code to answer.")}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            self.fail("not_object")
        return data


class ChecklistAnswersInput(serializers.Serializer):
    id = serializers.UUIDField()
    checklist = serializers.CharField(max_length=MAX_CODE)
    version = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    station = serializers.IntegerField(source="station_id", min_value=1, max_value=MAX_INT)
    answered_at = AwareDateTimeField()
    answers = AnswersField()


class MultipartData(serializers.Serializer):
    """A multipart request carries the JSON in a part named `data`."""

    data = serializers.CharField()

    def validate_data(self, value: str) -> dict:
        try:
            body = json.loads(value)
        except ValueError:
            raise serializers.ValidationError(_("The part named data must be a JSON object.")) from None
        if not isinstance(body, dict):
            raise serializers.ValidationError(_("The part named data must be a JSON object."))
        return body


class SubmissionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    checklist = serializers.CharField(source="version.checklist.code")
    version = serializers.IntegerField(source="version.number")
    station = serializers.IntegerField(source="station_id")
    answered_at = serializers.DateTimeField()
    answers = serializers.JSONField()
    flags = serializers.SerializerMethodField(
        help_text="The consistency rules the answers break: kept, shown to the observer, never refused."
    )
    photos = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField(
        help_text="The incident reports that critical answers became."
    )
    received_at = serializers.DateTimeField()

    def get_flags(self, submission) -> list[dict]:
        return localized(submission.flags)

    def get_photos(self, submission) -> list[dict]:
        return [
            {"question": photo.question, "sha256": photo.sha256, "width": photo.width, "height": photo.height}
            for photo in submission.photos.all()
        ]

    def get_reports(self, submission) -> list[dict]:
        return [
            {"question": answer.question, "id": str(answer.report_id)}
            for answer in submission.critical_answers.all()
        ]


# Documentation-only: the definition as GET /checklists/ renders it, texts in the request's language.


class ChoiceDoc(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ShowIfDoc(serializers.Serializer):
    question = serializers.CharField()
    equals = serializers.JSONField(help_text="true/false, a choice code or a whole number.")


class QuestionDoc(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField()
    required = serializers.BooleanField()
    choices = ChoiceDoc(many=True)
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    show_if = ShowIfDoc(allow_null=True)
    critical = serializers.ListField(child=serializers.JSONField(), help_text="Answers that become a report.")
    severity = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(allow_null=True)


class SectionDoc(serializers.Serializer):
    title = serializers.CharField()
    questions = QuestionDoc(many=True)


class RuleDoc(serializers.Serializer):
    left = serializers.CharField()
    operator = serializers.ChoiceField(choices=["<", "<=", "=", ">=", ">"])
    right = serializers.CharField(allow_null=True, help_text="Another question's code, or null.")
    value = serializers.JSONField(allow_null=True, help_text="A whole number or HH:MM when right is null.")
    message = serializers.CharField()


class ChecklistDoc(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    phase = serializers.CharField()
    sections = SectionDoc(many=True)
    rules = RuleDoc(many=True)


class ChecklistAnswersMultipartDoc(serializers.Serializer):
    data = serializers.CharField(
        help_text="The JSON body (id, checklist, version, station, answered_at, answers)."
    )
    photo_code = serializers.FileField(
        required=False, help_text="One part per photo question, named photo.<question code>."
    )
