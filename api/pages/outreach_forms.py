"""The "I need help" form. It checks the shape of a post only; outreach.services decides the rules,
so the page and the API refuse the same things with the same messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.pages.forms import SIX_PLACES
from core.review import MAX_NOTE
from outreach.models import AlertKind
from people.selectors import assigned_stations


class AlertForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=AlertKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    station = forms.TypedChoiceField(label=_("Where are you?"), coerce=int, empty_value=None, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stations = assigned_stations(user).order_by("number")
        self.fields["station"].choices = [
            ("", _("Not at one of my stations")),
            *[(s.pk, _("Station %(number)s") % {"number": s.number}) for s in stations],
        ]
        if not self.is_bound and len(self.fields["station"].choices) == 2:
            self.initial.setdefault("station", self.fields["station"].choices[1][0])

    def clean_latitude(self):
        value = self.cleaned_data["latitude"]
        return None if value is None else value.quantize(SIX_PLACES)

    def clean_longitude(self):
        value = self.cleaned_data["longitude"]
        return None if value is None else value.quantize(SIX_PLACES)
