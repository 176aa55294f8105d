"""What partners may read: published scores, and verified incidents of organizations that share them.

Every partner read starts here. A partner never sees an observer (name, contact, account), an
exact position, a review note or event, or a report that is not verified; the querysets below
select only the columns the partner API renders, so the rest is not even read.
"""

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from core.errors import NotFound
from integrity.models import ScoreRun, ScoreRunStatus
from reports.models import IncidentReport, ReportPhoto, ReportStatus
from stations.models import District, Election, PollingStation

# The report columns a partner response is built from; everything else stays in the database.
INCIDENT_COLUMNS = (
    "id",
    "election__slug",
    "station__number",
    "station__district__number",
    "station__region__name",
    "category",
    "severity",
    "phase",
    "occurred_at",
    "updated_at",
)


def elections_for_partners() -> QuerySet[Election]:
    return Election.objects.all()


def election_get_for_partner(*, slug: str) -> Election:
    try:
        return Election.objects.get(slug=slug)
    except Election.DoesNotExist:
        raise NotFound(_("No such election.")) from None


def _count(queryset: QuerySet, path: str) -> Coalesce:
    """A correlated count: no GROUP BY, so the outer rows stay plain and can stream."""
    counted = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def districts_for_partners(election: Election) -> QuerySet[District]:
    """The election's districts with their current score (or none yet) and station counts."""
    stations = PollingStation.objects.all()
    return (
        District.objects.filter(election=election)
        .select_related("region", "score")
        .annotate(
            total_stations=_count(stations, "district"),
            sample_stations=_count(stations.filter(in_sample=True), "district"),
        )
    )


def _per_election(queryset: QuerySet, **aggregate) -> Subquery:
    (name,) = aggregate
    grouped = queryset.filter(election=OuterRef("pk")).order_by().values("election").annotate(**aggregate)
    return Subquery(grouped.values(name))


def election_version(election: Election) -> dict:
    """What the election's districts and stations lists are made of, in one query: the latest
    published score run, the newest change to a station and to a shared report (the stations'
    indicators are worked out from those), and how many districts, stations and shared reports
    there are. Any change to those lists moves one of them."""
    published = ScoreRun.objects.filter(status=ScoreRunStatus.FINISHED)
    return (
        Election.objects.filter(pk=election.pk)
        .annotate(
            run=_per_election(published, run=Max("pk")),
            published_at=_per_election(published, at=Max("finished_at")),
            stations_changed=_per_election(PollingStation.objects.all(), at=Max("updated_at")),
            shared_changed=_per_election(shared_reports(), at=Max("updated_at")),
            station_count=_per_election(PollingStation.objects.all(), n=Count("pk")),
            district_count=_per_election(District.objects.all(), n=Count("pk")),
            shared_count=_per_election(shared_reports(), n=Count("pk")),
        )
        .values(
            "run",
            "published_at",
            "stations_changed",
            "shared_changed",
            "station_count",
            "district_count",
            "shared_count",
        )
        .get()
    )


def stations_for_partners(election: Election) -> QuerySet[PollingStation]:
    """The election's stations without any observer data; their indicators, worked out from shared
    reports only, come from partners.indicators."""
    return (
        PollingStation.objects.filter(election=election)
        .select_related("district", "region")
        .only(
            "id",
            "number",
            "name",
            "address",
            "latitude",
            "longitude",
            "registered_voters",
            "in_sample",
            "district__number",
            "district__name",
            "region__name",
        )
    )


def shared_reports() -> QuerySet[IncidentReport]:
    """Verified reports of organizations that share with partners: the only reports partners see."""
    return IncidentReport.objects.filter(status=ReportStatus.VERIFIED, organization__share_with_partners=True)


def partner_description() -> Coalesce:
    """The description partners read: a reviewer's redaction when there is one, else the original."""
    return Coalesce(NullIf("public_description", Value("")), "description", output_field=TextField())


def shared_corroborations() -> Coalesce:
    """Shared reports by other observers of the same category at the same station within the
    corroboration window: counted among what partners may see only, so that an unverified report
    or one of an organization that does not share never moves the number."""
    return shared_reports().count_corroborating()


def incidents_for_partners(*, with_photos: bool) -> QuerySet[IncidentReport]:
    """Shared reports with what the partner API shows of them; photos only for keys that may see them."""
    incidents = (
        shared_reports()
        .select_related("election", "station", "station__district", "station__region")
        .only(*INCIDENT_COLUMNS)
        .annotate(shown_description=partner_description(), corroborations=shared_corroborations())
    )
    if with_photos:
        photos = ReportPhoto.objects.only("id", "report_id", "width", "height").order_by("received_at", "id")
        incidents = incidents.prefetch_related(Prefetch("photos", queryset=photos))
    return incidents


def photo_get_for_partner(*, photo_id) -> ReportPhoto:
    """A photo of a report partners may see now: one that stopped being verified, or whose
    organization stopped sharing, is as missing as no photo at all."""
    photo = (
        ReportPhoto.objects.filter(Q(report__in=shared_reports()), pk=photo_id)
        .only("id", "image", "thumbnail")
        .first()
    )
    if photo is None:
        raise NotFound(_("No such photo."))
    return photo
