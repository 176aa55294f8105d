from django import forms
from django.utils.translation import gettext_lazy as _

from reports.taxonomy import Severity

REVIEW_STEPS = ("claim", "release", "verify", "reject", "ask", "severity", "reopen", "redact")


class ReviewForm(forms.Form):
    """One step of the review panel. The services check the note; this form only checks the shape.

    `version` is the report's version when the page was drawn: a write based on an older one is
    refused by the service, so a reviewer never overrides a change they have not seen.
    """

    step = forms.ChoiceField(choices=[(step, step) for step in REVIEW_STEPS])
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, strip=True)
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, required=False, empty_value=None)
    # The description partners see; empty clears the redaction, so it is never required.
    text = forms.CharField(required=False, strip=True)

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
