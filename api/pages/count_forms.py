"""Forms of the count pages. They check the shape of a post only; counts/services.py decides the
rules, so a page and the API refuse the same things with the same messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.pages.forms import LOCAL_TIME_FORMATS
from counts.services import PROTOCOL_NUMBERS

WHOLE_NUMBER = {"required": _("Give a whole number."), "invalid": _("Give a whole number.")}


def count_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(error_messages=WHOLE_NUMBER, **kwargs)


class TurnoutForm(forms.Form):
    id = forms.UUIDField()
    counted_at = forms.DateTimeField(
        input_formats=LOCAL_TIME_FORMATS,
        error_messages={
            "required": _("Give the time of the count."),
            "invalid": _("Give the date and the time in hours and minutes."),
        },
    )
    voters = count_field()
    method = forms.CharField(max_length=16, error_messages={"required": _("Choose how you counted.")})
    note = forms.CharField(required=False)


class ProtocolForm(forms.Form):
    """The protocol's numbers, one field per choice on the station's ballot (`vote_<code>`), and the photo."""

    id = forms.UUIDField()
    registered = count_field()
    received = count_field()
    issued = count_field()
    cancelled = count_field()
    lost = count_field(required=False)
    in_boxes = count_field()
    invalid = count_field()
    valid = count_field()
    note = forms.CharField(required=False)
    # Checked by the service, which says why a protocol needs its photo.
    photo = forms.FileField(required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = list(choices)
        # The services' messages about the votes, shown beside the votes rather than one field.
        self.vote_errors = []
        for choice in self.choices:
            self.fields[self.vote_name(choice.code)] = count_field()

    @staticmethod
    def vote_name(code: str) -> str:
        return f"vote_{code}"

    def vote_fields(self) -> list:
        """(choice, bound field) for each choice, in ballot order, for the template."""
        return [(choice, self[self.vote_name(choice.code)]) for choice in self.choices]

    def numbers(self) -> dict[str, int]:
        data = self.cleaned_data
        numbers = {name: data[name] for name in PROTOCOL_NUMBERS}
        # Most protocols have no line for lost ballots: left empty, it is none.
        numbers["lost"] = numbers["lost"] or 0
        return numbers

    def votes(self) -> dict[str, int]:
        return {choice.code: self.cleaned_data[self.vote_name(choice.code)] for choice in self.choices}
