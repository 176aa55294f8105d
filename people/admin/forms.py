from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from people.models import Organization
from stations.models import Election


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
