"""The call form of the missing list. Its time, when typed, is read in the zone the page shows
times in (the staff user's, else the election's): Django converts it to UTC."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.review import MAX_NOTE
from roster.models import Outcome, Stage


class CallForm(forms.Form):
    station = forms.CharField(max_length=20)
    stage = forms.ChoiceField(choices=Stage.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    replacement = forms.CharField(label=_("Replacement observer"), max_length=150, required=False)
    note = forms.CharField(label=_("Note"), max_length=MAX_NOTE, required=False)
    at = forms.DateTimeField(
        label=_("Called at"),
        required=False,
        help_text=_("Empty: now. A call made earlier: its local time, such as 2023-03-19 08:20."),
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at is not None and at > timezone.now():
            raise forms.ValidationError(_("A call cannot be recorded in the future."))
        return at

    def first_error(self) -> str:
        field, errors = next(iter(self.errors.items()))
        label = self.fields[field].label if field in self.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
