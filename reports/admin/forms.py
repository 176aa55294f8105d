from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from reports.models import Organization
from reports.taxonomy import Severity
from stations.models import Election

REVIEW_STEPS = ("claim", "release", "verify", "reject", "ask", "severity", "reopen")


class ReviewForm(forms.Form):
    """One step of the review panel. The services check the note; this form only checks the shape.

    `version` is the report's version when the page was drawn: a write based on an older one is
    refused by the service, so a reviewer never overrides a change they have not seen.
    """

    step = forms.ChoiceField(choices=[(step, step) for step in REVIEW_STEPS])
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, strip=True)
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, required=False, empty_value=None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("step") == "severity" and cleaned.get("severity") is None:
            self.add_error("severity", _("Choose a severity."))
        return cleaned


class RejectSelectedForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Recorded in the audit trail of every selected report."),
    )


class AssignmentImportForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    election = forms.ModelChoiceField(label=_("Election"), queryset=Election.objects.all())
    file = forms.FileField(
        label=_("Assignments (CSV, UTF-8)"),
        help_text=_("Columns: username, station_number. One row per observer and station."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.STATION_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload
