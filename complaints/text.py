"""The facts a complaint states, gathered from its reports, and its text filled in from the template.

Everything is rendered in the complaint's language and in the election's time zone. An observer's
name appears only as the complainant, and only when they consented; the facts carry the reports'
descriptions as redacted for partners where a reviewer redacted them."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import Addressee, Complaint, ComplaintTemplate
from complaints.placeholders import fill
from people.models import Organization
from reports.models import IncidentReport, ReportPhoto
from stations.models import District, Election, PollingStation

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class ComplaintFacts:
    organization: Organization
    election: Election
    station: PollingStation | None
    district: District
    stations: list[PollingStation]
    addressee_name: str
    complainant_name: str
    language: str
    facts: str
    evidence_list: str
    observer_count: int
    date: str


def local(moment, election: Election) -> str:
    return timezone.localtime(moment, ZoneInfo(election.timezone)).strftime(TIME_FORMAT)


def _addressee_name(kind: str, station: PollingStation, district: District) -> str:
    label = Addressee(kind).label
    if kind == Addressee.PRECINCT:
        return _("%(commission)s of polling station No. %(number)s") % {
            "commission": label,
            "number": station.number,
        }
    if kind == Addressee.DISTRICT:
        return _("%(commission)s of district No. %(number)s (%(name)s)") % {
            "commission": label,
            "number": district.number,
            "name": district.name,
        }
    return str(label)


def _fact_line(index: int, report: IncidentReport, several_stations: bool) -> str:
    where = _("station No. %(number)s") % {"number": report.station.number} + ", " if several_stations else ""
    seen = report.public_description or report.description or _("(no description)")
    when = local(report.occurred_at, report.election)
    return f"{index}. {when}, {where}{report.get_category_display()}: {seen}"


def _evidence_line(index: int, photo: ReportPhoto, election: Election) -> str:
    captured = local(photo.captured_at, election) if photo.captured_at else _("capture time unknown")
    return _("%(index)d. Photo, SHA-256 %(seal)s, taken %(captured)s") % {
        "index": index,
        "seal": photo.sha256,
        "captured": captured,
    }


def complainant_name(organization: Organization, complainant: AbstractBaseUser | None) -> str:
    if complainant is not None:
        return complainant.get_full_name() or complainant.get_username()
    return organization.representative_name or organization.name


def facts_of(
    reports: list[IncidentReport], *, addressee_kind: str, language: str, complainant: AbstractBaseUser | None
) -> ComplaintFacts:
    """The facts of these reports (already checked: verified, one organization, one district)."""
    first = reports[0]
    stations = list({report.station_id: report.station for report in reports}.values())
    photos = ReportPhoto.objects.filter(report__in=reports).order_by(
        "report__occurred_at", "received_at", "pk"
    )
    with translation.override(language):
        return ComplaintFacts(
            organization=first.organization,
            election=first.election,
            station=stations[0] if len(stations) == 1 else None,
            district=first.station.district,
            stations=stations,
            addressee_name=_addressee_name(addressee_kind, first.station, first.station.district),
            complainant_name=complainant_name(first.organization, complainant),
            language=language,
            facts="\n".join(_fact_line(i, report, len(stations) > 1) for i, report in enumerate(reports, 1)),
            evidence_list="\n".join(
                _evidence_line(i, photo, first.election) for i, photo in enumerate(photos, 1)
            )
            or _("No photos."),
            observer_count=len({report.observer_id for report in reports}),
            date=timezone.localtime(timezone.now(), ZoneInfo(first.election.timezone)).strftime("%Y-%m-%d"),
        )


def _previous(complaint: Complaint | None) -> str:
    if complaint is None:
        return ""
    answer = (
        _("answered on %(date)s: %(outcome)s")
        % {"date": local(complaint.answer_at, complaint.election), "outcome": complaint.get_outcome_display()}
        if complaint.answer_at
        else _("no answer was given by the deadline, %(deadline)s")
        % {"deadline": local(complaint.deadline_at, complaint.election)}
    )
    return _("Complaint filed with %(addressee)s on %(filed)s, incoming number %(number)s; %(answer)s.") % {
        "addressee": complaint.addressee_name,
        "filed": local(complaint.filed_at, complaint.election),
        "number": complaint.incoming_number or "—",
        "answer": answer,
    }


def complaint_text(
    template: ComplaintTemplate, facts: ComplaintFacts, *, appeal_of: Complaint | None = None
) -> str:
    with translation.override(facts.language):
        station = facts.station
        values = {
            "addressee": facts.addressee_name,
            "complainant": facts.complainant_name,
            "date": facts.date,
            "district": f"{facts.district.number}. {facts.district.name}",
            "election": facts.election.name,
            "evidence_list": facts.evidence_list,
            "facts": facts.facts,
            "legal_basis": template.legal_basis,
            "observer_count": str(facts.observer_count),
            "organization": facts.organization.name,
            "previous_complaint": _previous(appeal_of),
            "requested_action": template.requested_action,
            "station_address": station.address if station else "; ".join(s.address for s in facts.stations),
            "station_name": station.name if station else "; ".join(s.name for s in facts.stations),
            "station_number": station.number if station else ", ".join(s.number for s in facts.stations),
        }
        return fill(template.body, values)
