"""Staff see every time in the admin and the dashboard in local time, with the zone named.

The zone is the staff user's own choice (StaffProfile.time_zone), else the zone of the election
the page is about (its `election` parameter, a list filtered on an election, or the row a change
page shows), else the zone of the most recent election their organizations observe. Django then
shows times in that zone, and reads times typed in forms and filters in it too.

What decides the zone is read once at sign-in and kept in the session (refreshed every few
minutes, and at once when the user picks a zone), so an admin page costs no query for it: when
every election shares one zone, as in a national mission, a row's election is not even looked up.
"""

import time as clock
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people.models import Assignment, Membership, StaffProfile, time_zone_choices
from stations.models import Election

SESSION_KEY = "baqylau_time_zones"
REFRESH_SECONDS = 300
ELECTION_PARAMETERS = ("election", "election__id__exact", "election__slug")


def zones_for(user: AbstractBaseUser) -> dict:
    """What decides the user's zone: their own choice, each election's zone (by slug and by id),
    and the default, the zone of the latest election their organizations observe."""
    own = StaffProfile.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""
    elections = list(Election.objects.values_list("pk", "slug", "timezone"))
    by_election = {
        **{slug: zone for _pk, slug, zone in elections},
        **{str(pk): zone for pk, _s, zone in elections},
    }
    organizations = Membership.objects.filter(user=user).values("organization_id")
    observed = Assignment.objects.filter(membership__organization__in=organizations)
    default = (
        observed.order_by("-station__election__date")
        .values_list("station__election__timezone", flat=True)
        .first()
    )
    if default is None and elections:
        default = elections[0][2]  # Election's ordering: the most recent first.
    return {
        "own": own,
        "default": default or "",
        "elections": by_election,
        "one_zone": len({zone for *_rest, zone in elections}) <= 1,
        "at": clock.time(),
    }


def remember_zones(sender, request, user, **kwargs) -> None:
    """At sign-in (user_logged_in), keep in the session what decides a member of staff's zone."""
    if request is not None and getattr(user, "is_staff", False) and hasattr(request, "session"):
        request.session[SESSION_KEY] = zones_for(user)


def session_zones(request: HttpRequest, *, fresh: bool = False) -> dict:
    zones = request.session.get(SESSION_KEY)
    if fresh or not zones or clock.time() - zones.get("at", 0) > REFRESH_SECONDS:
        zones = zones_for(request.user)
        request.session[SESSION_KEY] = zones
    return zones


def named_election(request: HttpRequest) -> str | None:
    """The slug or id of the election the page's parameters name, if they name one."""
    return next((request.GET[name] for name in ELECTION_PARAMETERS if request.GET.get(name)), None)


def zone_of_page(request: HttpRequest, zones: dict) -> str:
    """The zone of the election named by the page's parameters; "" when none is named."""
    named = named_election(request)
    if named is None:
        return ""
    if named not in zones["elections"]:
        # An election created since the zones were read: read them again (a wrong name stays unknown).
        zones.update(session_zones(request, fresh=True))
    return zones["elections"].get(named, "")


def zone_of_row(view_func, view_kwargs: dict, zones: dict) -> str:
    """The zone of the election of the row an admin change page shows, if the row has one."""
    model_admin = getattr(view_func, "model_admin", None)
    object_id = view_kwargs.get("object_id")
    if zones["one_zone"] or model_admin is None or object_id is None:
        return ""
    model = model_admin.model
    if "election" not in {field.name for field in model._meta.get_fields()}:
        return ""
    try:
        found = model._default_manager.filter(pk=object_id).values_list("election__timezone", flat=True)
        return found.first() or ""
    except (ValueError, TypeError, ValidationError):
        return ""


class StaffTimeZoneMiddleware:
    """Activates the staff user's local zone on the admin's pages (the dashboard is one of them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.applies(request):
            return self.get_response(request)
        request.staff_zones = zones = session_zones(request)
        zone = zones["own"] or zone_of_page(request, zones) or zones["default"]
        if zone:
            timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        zones = getattr(request, "staff_zones", None)
        if zones and not zones["own"] and named_election(request) is None:
            zone = zone_of_row(view_func, view_kwargs, zones)
            if zone:
                timezone.activate(ZoneInfo(zone))

    @staticmethod
    def applies(request: HttpRequest) -> bool:
        if not request.path_info.startswith(reverse("admin:index")):
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        help_text=gettext_lazy("Leave empty to see every time in the election's own time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", gettext_lazy("the election's time zone")),
            *time_zone_choices(),
        ]


def staff_time_zone_set(*, user: AbstractBaseUser, time_zone: str) -> StaffProfile:
    """The one writer of a staff user's own zone."""
    profile, _created = StaffProfile.objects.update_or_create(user=user, defaults={"time_zone": time_zone})
    return profile


def time_zone_page(request: HttpRequest) -> HttpResponse:
    """A member of staff picks the zone they see times in, or goes back to the election's."""
    current = StaffProfile.objects.filter(user=request.user).values_list("time_zone", flat=True).first()
    form = TimeZoneForm(request.POST or None, initial={"time_zone": current or ""})
    if request.method == "POST" and form.is_valid():
        staff_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
        request.session[SESSION_KEY] = zones_for(request.user)
        messages.success(request, _("Your time zone is saved."))
        return redirect("admin_time_zone")
    context = {**admin.site.each_context(request), "title": _("Your time zone"), "form": form}
    return TemplateResponse(request, "admin/time_zone.html", context, status=400 if form.errors else 200)
