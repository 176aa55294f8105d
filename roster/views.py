"""The roster and missing-list pages in the admin, their CSV exports, the live data of the missing
list, and the accreditation photos. Every view answers 404 for an organization the user does not
review or coordinate, as for one that does not exist."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError, NotFound
from core.storage import evidence_image
from people.models import Membership, Role
from roster import exports
from roster.forms import CallForm
from roster.missing import deadlines, missing_entries
from roster.models import Outcome, Stage
from roster.selectors import (
    STATUSES,
    district_get,
    election_get,
    organization_get_for_staff,
    roster_rows,
    seen,
    staff_organizations,
    stations_of,
)
from roster.services import call_station_get, recontact_call_record, replacement_get
from stations.models import Election

ROSTER_PAGE_SIZE = 100


def scope(request: HttpRequest, data=None) -> dict:
    """The organization and election a page is about, from its parameters; 404 if not the user's."""
    data = request.GET if data is None else data
    return {
        "organization": organization_get_for_staff(request.user, data.get("organization")),
        "election": election_get(data.get("election")),
    }


def scope_query(where: dict) -> str:
    return urlencode({"organization": where["organization"].slug, "election": where["election"].slug})


def chooser_context(request: HttpRequest, where: dict) -> dict:
    return {
        **admin.site.each_context(request),
        **where,
        "organizations": list(staff_organizations(request.user)),
        "elections": list(Election.objects.all()),
        "scope_query": scope_query(where),
    }


def roster_filters(request: HttpRequest, election: Election) -> dict:
    status = request.GET.get("status") or None
    if status is not None and status not in STATUSES:
        raise Http404(_("No such status."))
    return {"district": district_get(election, request.GET.get("district")), "status": status}


@require_GET
def roster_page(request: HttpRequest) -> HttpResponse:
    where = scope(request)
    filters = roster_filters(request, where["election"])
    rows = roster_rows(**where, **filters)
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    stations = stations_of(members, where["election"])
    context = {
        **chooser_context(request, where),
        "title": _("Roster"),
        "page": page,
        "rows": [(member, stations.get(member.pk, []), seen(member.last_seen_at)) for member in members],
        "districts": where["election"].districts.order_by("number"),
        "district": filters["district"],
        "status": filters["status"],
        "statuses": [(code, label) for code, (label, _q) in STATUSES.items()],
        "filter_query": urlencode({key: value for key, value in request.GET.items() if key != "page"}),
    }
    return TemplateResponse(request, "roster/roster.html", context)


@require_GET
def roster_csv(request: HttpRequest) -> HttpResponse:
    where = scope(request)
    rows = roster_rows(**where, **roster_filters(request, where["election"]))
    return exports.roster_response(rows, where)


@require_GET
def accreditation_photo(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership,
        pk=membership_id,
        role=Role.OBSERVER,
        organization__in=staff_organizations(request.user),
    )
    if not membership.accreditation_photo:
        raise Http404
    return evidence_image(membership.accreditation_photo, f"accreditation-{membership.pk}.jpg")


def missing_context(request: HttpRequest, where: dict) -> dict:
    entries = missing_entries(organization_id=where["organization"].pk, election=where["election"])
    return {
        **chooser_context(request, where),
        "title": _("Missing stations"),
        "entries": entries,
        "summary": summary(entries),
        "deadlines": deadlines(where["election"]),
        "outcomes": Outcome.choices,
        "stages": Stage,
        "data_url": f"{reverse('admin:roster_missing_data')}?{scope_query(where)}",
    }


def summary(entries: list) -> str:
    count = len({entry.station.pk for entry in entries})
    return ngettext("%(count)d station missing.", "%(count)d stations missing.", count) % {"count": count}


@require_GET
def missing_page(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "roster/missing.html", missing_context(request, scope(request)))


@require_POST
def missing_call(request: HttpRequest) -> HttpResponse:
    where = scope(request, request.POST)
    form = CallForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(form.first_error())
        data = form.cleaned_data
        station = call_station_get(station_id=data["station"], **where)
        recontact_call_record(
            by=request.user,
            station=station,
            stage=data["stage"],
            outcome=data["outcome"],
            note=data["note"],
            replacement=replacement_get(organization=where["organization"], username=data["replacement"]),
            at=data["at"],
            **where,
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except ApplicationError as refusal:
        context = {**missing_context(request, where), "error": refusal.message}
        return TemplateResponse(request, "roster/missing.html", context, status=400)
    messages.success(request, _("The call to station %(number)s is recorded.") % {"number": station.number})
    return HttpResponseRedirect(f"{reverse('admin:roster_missing')}?{scope_query(where)}")


@require_GET
def missing_data(request: HttpRequest) -> JsonResponse:
    """The missing list as the page's script refreshes it: each entry's row, and its calls."""
    where = scope(request)
    entries = missing_entries(organization_id=where["organization"].pk, election=where["election"])
    context = {"outcomes": Outcome.choices, **where}
    rows = [
        {
            "key": entry.key,
            "calls": entry.calls,
            "last_call": entry.last_call_text,
            "html": render_to_string("roster/missing_row.html", {**context, "entry": entry}, request=request),
        }
        for entry in entries
    ]
    updated = _("updated at %(time)s") % {"time": timezone.localtime().strftime("%H:%M:%S")}
    response = JsonResponse({"summary": summary(entries), "updated": updated, "rows": rows})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def missing_csv(request: HttpRequest) -> HttpResponse:
    where = scope(request)
    entries = missing_entries(organization_id=where["organization"].pk, election=where["election"])
    return exports.missing_response(entries, where)
