"""Elections, regions, districts, stations, their imports and the random sample in the admin.

Shared election data: every organization's scores and what partners read stand on it, so only
election administrators (people.roles) change it, import stations or draw the sample; reviewers and
coordinators read it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from stations.forms import StationImportForm
from stations.importers import CsvImportError
from stations.models import District, Election, PollingStation, Region, SampleDraw, StationImport
from stations.services import MAX_SEED, SampleError, sample_draw, stations_import

ERRORS_SHOWN = 500


class SampleDrawForm(forms.Form):
    size = forms.IntegerField(
        label=_("Sample size (stations)"),
        min_value=1,
        help_text=_("Coverage grade A needs at least one station in ten and at least 30 stations."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("Leave empty for a fresh random seed; give an earlier seed to repeat that draw."),
    )
    min_per_district = forms.IntegerField(label=_("Minimum per district"), min_value=0, initial=2)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "date", "timezone", "district_count", "station_count", "sample_coverage"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    change_form_template = "admin/stations/election/change_form.html"
    actions = ["draw_sample"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                district_total=Count("districts", distinct=True),
                station_total=Count("stations", distinct=True),
                sample_total=Count("stations", filter=Q(stations__in_sample=True), distinct=True),
            )
        )

    @admin.display(description=_("districts"), ordering="district_total")
    def district_count(self, election):
        return election.district_total

    @admin.display(description=_("stations"), ordering="station_total")
    def station_count(self, election):
        return election.station_total

    @admin.display(description=_("sample"), ordering="sample_total")
    def sample_coverage(self, election):
        if not election.station_total:
            return "—"
        return _("%(sampled)d of %(stations)d stations (%(percent)s %%)") % {
            "sampled": election.sample_total,
            "stations": election.station_total,
            "percent": number_format(100 * election.sample_total / election.station_total, 1),
        }

    def has_draw_sample_permission(self, request) -> bool:
        return request.user.has_perm("stations.draw_sample")

    @admin.action(description=_("Draw a random observation sample"), permissions=["draw_sample"])
    def draw_sample(self, request, queryset):
        elections = list(queryset[:2])
        if len(elections) != 1:
            self.message_user(
                request, _("Select exactly one election to draw a sample for."), messages.WARNING
            )
            return None
        return redirect(reverse("admin:stations_election_draw_sample", args=[elections[0].pk]))

    def get_urls(self):
        extra = [
            path(
                "<int:election_id>/import-stations/",
                self.admin_site.admin_view(self.import_stations_view),
                name="stations_election_import_stations",
            ),
            path(
                "<int:election_id>/draw-sample/",
                self.admin_site.admin_view(self.draw_sample_view),
                name="stations_election_draw_sample",
            ),
        ]
        return extra + super().get_urls()

    def draw_sample_view(self, request, election_id: int):
        if not self.has_draw_sample_permission(request):
            raise PermissionDenied
        election = get_object_or_404(self.get_queryset(request), pk=election_id)
        # Suggest the smallest sample that can earn coverage grade A: 10 % and at least 30.
        suggested = min(election.station_total, max(30, -(-election.station_total // 10)))
        form = SampleDrawForm(request.POST or None, initial={"size": suggested})
        if request.method == "POST" and form.is_valid():
            try:
                draw = sample_draw(election=election, by=request.user, **form.cleaned_data)
            except SampleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(drawn)d stations drawn into the sample of %(election)s with seed %(seed)d.")
                    % {"drawn": draw.drawn, "election": election.name, "seed": draw.seed},
                )
                return redirect(reverse("admin:stations_election_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Draw a random observation sample for %(election)s") % {"election": election.name},
            "election": election,
            "form": form,
            "coverage": self.sample_coverage(election),
            "draws": election.sample_draws.select_related("drawn_by")[:10],
        }
        return TemplateResponse(request, "admin/stations/election/draw_sample.html", context)

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
        # A refused file (a loaded one was redirected) answers 400, as the observer pages' forms do.
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/stations/election/import_stations.html", context, status=status
        )


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


@admin.register(SampleDraw)
class SampleDrawAdmin(admin.ModelAdmin):
    list_display = ["election", "drawn_at", "size", "seed", "drawn_by"]
    list_filter = ["election"]
    list_select_related = ["election", "drawn_by"]
    readonly_fields = [field.name for field in SampleDraw._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
