"""The observer's pages. Each works as a plain HTML form post; outbox.js sends the same forms
through the API when JavaScript runs. Writes go through the services only."""

import uuid
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.pages.forms import CheckInForm, ReportForm
from complaints.models import Outcome
from complaints.selectors import complaints_filed_for_observer
from core.errors import ApplicationError, NotFound
from people.accounts import SignInForm
from people.selectors import assigned_stations, observer_memberships, station_get_for_observer
from people.services import token_revoke
from reports.models import CheckIn
from reports.models.observations import MAX_DESCRIPTION
from reports.selectors import reports_list_for_observer
from reports.services import MAX_PHOTOS_PER_REPORT, checkin_create, report_answer, report_submit
from reports.taxonomy import DEFAULT_SEVERITY, Category, CheckInKind, Phase

REPORTS_PER_PAGE = 50
COMPLAINTS_SHOWN = 50
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def observer_required(view):
    """Signed in and an observer somewhere; staff without an observer role are sent to the admin."""

    @login_required(login_url="observe:login")
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not observer_memberships(request.user).exists():
            return render(request, "observe/not_observer.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    """Username and password, and the authenticator app's code for staff who turned one on."""

    template_name = "observe/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("observe:stations")


class LogoutView(auth_views.LogoutView):
    """Signing out also revokes the user's outbox tokens, so a phone signed out keeps no working key.

    Another phone of the same observer is then asked to sign in again; what it holds stays queued.
    """

    next_page = reverse_lazy("observe:login")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            for token in request.user.observer_tokens.usable():
                token_revoke(token=token)
        return super().post(request, *args, **kwargs)


def _local(moment, zone_name: str):
    return timezone.localtime(moment, ZoneInfo(zone_name))


def _station_or_404(user, station_id):
    try:
        station, _organization = station_get_for_observer(user=user, station_id=station_id)
    except NotFound:
        raise Http404 from None
    return station


def _stations_page(request, *, errors: dict | None = None, status: int = 200):
    last = CheckIn.objects.filter(observer=request.user, station=OuterRef("pk")).order_by("-at")
    stations = list(
        assigned_stations(request.user).annotate(
            last_kind=Subquery(last.values("kind")[:1]), last_at=Subquery(last.values("at")[:1])
        )
    )
    for station in stations:
        # A fresh id per rendered form: tapping twice on the same form records one check-in.
        station.form_id = uuid.uuid4()
        station.last_kind_label = CheckInKind(station.last_kind).label if station.last_kind else ""
        station.error = (errors or {}).get(station.pk, "")
    context = {"stations": stations, "kinds": CheckInKind.choices}
    return render(request, "observe/stations.html", context, status=status)


@observer_required
def stations(request):
    return _stations_page(request)


@require_POST
@observer_required
def checkin(request, station_id: int):
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _stations_page(
            request, errors={station_id: _("Tap one of the buttons to check in.")}, status=400
        )
    try:
        row, created = checkin_create(
            observer=request.user,
            id=form.cleaned_data["id"],
            station_id=station_id,
            kind=form.cleaned_data["kind"],
            at=timezone.now(),
            all_clear=form.cleaned_data["all_clear"],
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return _stations_page(request, errors={station_id: exc.message}, status=400)
    values = {
        "time": time_format(_local(row.received_at, row.election.timezone), "H:i"),
        "kind": row.get_kind_display(),
        "station": row.station.number,
    }
    if created:
        messages.success(request, _("Check-in received at %(time)s: %(kind)s, station %(station)s.") % values)
    else:
        messages.info(request, _("This check-in had already arrived at %(time)s.") % values)
    return redirect(f"{reverse('observe:stations')}#station-{station_id}")


def _report_context(station, form) -> dict:
    return {
        "station": station,
        "form": form,
        "categories": [(value, label, DEFAULT_SEVERITY[value]) for value, label in Category.choices],
        "phases": Phase.choices,
        "max_description": MAX_DESCRIPTION,
        "max_photos": MAX_PHOTOS_PER_REPORT,
    }


def _submit_report(request, station, form):
    """The report and whether it is new, or None with the service's message put beside its field."""
    data = form.cleaned_data
    try:
        return report_submit(
            observer=request.user,
            id=data["id"],
            station_id=station.pk,
            category=data["category"],
            phase=data["phase"],
            occurred_at=data["occurred_at"],
            description=data["description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
            photos=data["photos"],
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def report(request, station_id: int):
    station = _station_or_404(request.user, station_id)
    # Times typed on this page are wall-clock times at the station.
    with timezone.override(ZoneInfo(station.election.timezone)):
        if request.method != "POST":
            now = timezone.localtime().strftime(LOCAL_INPUT_FORMAT)
            form = ReportForm(initial={"id": uuid.uuid4(), "occurred_at": now, "phase": Phase.VOTING})
            return render(request, "observe/report_form.html", _report_context(station, form))
        form = ReportForm(request.POST, request.FILES)
        result = _submit_report(request, station, form) if form.is_valid() else None
        if result is None:
            return render(request, "observe/report_form.html", _report_context(station, form), status=400)
        row, created = result
        values = {"time": time_format(timezone.localtime(row.received_at), "H:i"), "ref": str(row.id)[:8]}
    if created:
        messages.success(request, _("Report received at %(time)s. Reference %(ref)s.") % values)
    else:
        messages.info(request, _("This report had already arrived at %(time)s. Reference %(ref)s.") % values)
    return redirect("observe:reports")


@observer_required
def reports(request):
    rows = (
        reports_list_for_observer(request.user)
        .select_related("election")
        .prefetch_related("photos")
        .order_by("-occurred_at", "-received_at", "-id")
    )
    page = Paginator(rows, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    # The complaints filed in the observer's name head the first page, each with its PDF to print.
    complaints = _complaints(request.user) if page.number == 1 else []
    return render(request, "observe/reports.html", {"page_obj": page, "complaints": complaints})


# The badge of a complaint on "My reports": the outcome once there is one, else whether it is late.
OUTCOME_BADGES = {Outcome.UPHELD: "status-verified", Outcome.REJECTED: "status-rejected"}


def _complaints(user) -> list:
    complaints = list(complaints_filed_for_observer(user)[:COMPLAINTS_SHOWN])
    for complaint in complaints:
        if complaint.outcome:
            complaint.badge = (
                complaint.get_outcome_display(),
                OUTCOME_BADGES.get(complaint.outcome, "status-rejected"),
            )
        elif complaint.is_overdue:
            complaint.badge = (_("answer overdue"), "status-needs_info")
        else:
            complaint.badge = (complaint.get_status_display(), "")
    return complaints


@require_POST
@observer_required
def answer(request, report_id):
    """The observer's answer to a reviewer's question, sent from "My reports"."""
    try:
        report_answer(observer=request.user, report_id=report_id, answer=request.POST.get("answer", ""))
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answer was sent; the report is back with the reviewers."))
    return redirect(f"{reverse('observe:reports')}#report-{report_id}")
