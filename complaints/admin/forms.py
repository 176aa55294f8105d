"""The forms of the complaints admin: drafting from reports, and each later step of a complaint."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from complaints.models import Addressee, FiledHow, Language, Outcome


class ReportChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, report):
        when = report.occurred_at.strftime("%Y-%m-%d %H:%M")
        return f"{report.station.number} · {when} · {report.get_category_display()} ({str(report.pk)[:8]})"


class DraftForm(forms.Form):
    reports = ReportChoices(queryset=None, widget=forms.CheckboxSelectMultiple, label=_("reports"))
    addressee_kind = forms.ChoiceField(label=_("addressee"), choices=Addressee.choices)
    language = forms.ChoiceField(label=_("language"), choices=Language.choices)
    complainant = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("observer complainant"),
        help_text=_(
            "Only observers of these reports who consented to complaints in their name; "
            "empty: the organization's representative signs."
        ),
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = reports
        self.fields["reports"].initial = list(reports.values_list("pk", flat=True))
        consenting = reports.filter(
            observer__memberships__organization_id=F("organization_id"),
            observer__memberships__complaint_consent_at__isnull=False,
        )
        self.fields["complainant"].queryset = get_user_model().objects.filter(
            pk__in=consenting.values("observer_id")
        )


class FileForm(forms.Form):
    filed_at = forms.SplitDateTimeField(label=_("filed"), widget=AdminSplitDateTime)
    filed_how = forms.ChoiceField(label=_("filed how"), choices=FiledHow.choices)
    filed_to = forms.CharField(label=_("filed with"), max_length=300)
    incoming_number = forms.CharField(label=_("incoming number"), max_length=100, required=False)
    stamped_copy = forms.FileField(label=_("stamped copy"), required=False)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)
    answer_at = forms.SplitDateTimeField(label=_("answered"), widget=AdminSplitDateTime, required=False)
    answer_text = forms.CharField(label=_("answer"), widget=forms.Textarea, required=False)
    answer_scan = forms.FileField(label=_("answer scan"), required=False)


class AppealForm(forms.Form):
    language = forms.ChoiceField(label=_("language"), choices=Language.choices)


class ConfirmForm(forms.Form):
    """A step with nothing to fill in: the button is the confirmation."""
