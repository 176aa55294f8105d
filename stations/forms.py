from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class CsvUploadForm(forms.Form):
    """A CSV upload no larger than STATION_IMPORT_MAX_BYTES; subclasses label `file`."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.STATION_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload


class StationImportForm(CsvUploadForm):
    file = forms.FileField(
        label=_("Station list (CSV, UTF-8)"),
        help_text=_(
            "Columns: region, district_number, district_name, station_number, name, address, "
            "latitude, longitude, registered_voters."
        ),
    )
