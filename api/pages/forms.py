"""Forms of the observer's pages. They check the shape of a post only; the services decide the rules,
so a page and the API refuse the same things with the same messages."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

# What <input type="datetime-local"> sends, read as wall-clock time in the station's time zone.
LOCAL_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
# The model keeps six decimals (about 10 cm); a phone reports more.
SIX_PLACES = Decimal("0.000001")


class CheckInForm(forms.Form):
    id = forms.UUIDField()
    kind = forms.CharField(
        max_length=16, error_messages={"required": _("Tap one of the buttons to check in.")}
    )
    all_clear = forms.BooleanField(required=False)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files under one name; each is checked by the photo service, not here."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(upload, initial) for upload in data if upload]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    id = forms.UUIDField()
    category = forms.CharField(max_length=32, error_messages={"required": _("Choose what happened.")})
    phase = forms.CharField(max_length=16, error_messages={"required": _("Choose the phase of the day.")})
    occurred_at = forms.DateTimeField(
        input_formats=LOCAL_TIME_FORMATS,
        error_messages={
            "required": _("Give the time it happened."),
            "invalid": _("Give the date and the time in hours and minutes."),
        },
    )
    description = forms.CharField(required=False)
    # Bounded in digits so rounding to six places always fits; the services check the range.
    latitude = forms.DecimalField(required=False, max_digits=20)
    longitude = forms.DecimalField(required=False, max_digits=20)
    accuracy_m = forms.DecimalField(required=False, max_digits=20)
    photos = MultiplePhotoField(required=False)

    def clean_latitude(self) -> Decimal | None:
        return self._six_places(self.cleaned_data["latitude"])

    def clean_longitude(self) -> Decimal | None:
        return self._six_places(self.cleaned_data["longitude"])

    def clean_accuracy_m(self) -> int | None:
        accuracy = self.cleaned_data["accuracy_m"]
        return None if accuracy is None else round(accuracy)

    @staticmethod
    def _six_places(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(SIX_PLACES)
