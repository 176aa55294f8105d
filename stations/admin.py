from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from stations.forms import StationImportForm
from stations.importers import CsvImportError
from stations.models import District, Election, PollingStation, Region, StationImport
from stations.services import stations_import

ERRORS_SHOWN = 500


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "date", "timezone", "district_count", "station_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/stations/election/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                district_total=Count("districts", distinct=True),
                station_total=Count("stations", distinct=True),
            )
        )

    @admin.display(description=_("districts"), ordering="district_total")
    def district_count(self, election):
        return election.district_total

    @admin.display(description=_("stations"), ordering="station_total")
    def station_count(self, election):
        return election.station_total

    def get_urls(self):
        extra = [
            path(
                "<int:election_id>/import-stations/",
                self.admin_site.admin_view(self.import_stations_view),
                name="stations_election_import_stations",
            )
        ]
        return extra + super().get_urls()

    def import_stations_view(self, request, election_id: int):
        if not (self.has_change_permission(request) and request.user.has_perm("stations.add_pollingstation")):
            raise PermissionDenied
        election = get_object_or_404(Election, pk=election_id)
        form = StationImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = stations_import(
                    election=election, data=upload.read(), filename=upload.name, by=request.user
                )
            except CsvImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("%(rows)d stations read: %(created)d created, %(updated)d updated.")
                    % {"rows": batch.rows, "created": batch.created, "updated": batch.updated},
                )
                return redirect(reverse("admin:stations_election_change", args=[election.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import polling stations into %(election)s") % {"election": election.name},
            "election": election,
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "errors_total": len(errors),
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "imports": election.station_imports.select_related("imported_by")[:10],
        }
        return TemplateResponse(request, "admin/stations/election/import_stations.html", context)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "election", "district_count", "station_count"]
    list_filter = ["election"]
    list_select_related = ["election"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                district_total=Count("districts", distinct=True),
                station_total=Count("stations", distinct=True),
            )
        )

    @admin.display(description=_("districts"), ordering="district_total")
    def district_count(self, region):
        return region.district_total

    @admin.display(description=_("stations"), ordering="station_total")
    def station_count(self, region):
        return region.station_total


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "region",
        "election",
        "station_count",
        "sample_count",
        "registered_total",
    ]
    list_display_links = ["number", "name"]
    list_filter = ["election", "region"]
    list_select_related = ["election", "region"]
    search_fields = ["name", "=number"]
    autocomplete_fields = ["region"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).with_station_counts()

    @admin.display(description=_("stations"), ordering="station_count")
    def station_count(self, district):
        return district.station_count

    @admin.display(description=_("in sample"), ordering="sample_count")
    def sample_count(self, district):
        return district.sample_count

    @admin.display(description=_("registered voters"), ordering="registered_total")
    def registered_total(self, district):
        return district.registered_total or 0


@admin.register(PollingStation)
class PollingStationAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "address", "district", "region", "registered_voters", "in_sample"]
    list_display_links = ["number", "name"]
    list_filter = ["election", "region", "district", "in_sample"]
    list_select_related = ["election", "region", "district"]
    search_fields = ["=number", "name", "address"]
    autocomplete_fields = ["region", "district"]
    readonly_fields = ["updated_at"]
    show_full_result_count = False


@admin.register(StationImport)
class StationImportAdmin(admin.ModelAdmin):
    list_display = ["imported_at", "election", "filename", "rows", "created", "updated", "imported_by"]
    list_filter = ["election"]
    list_select_related = ["election", "imported_by"]
    readonly_fields = [field.name for field in StationImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
