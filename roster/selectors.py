"""Reads of the roster: whose organizations a member of staff may see, and each observer's day in
one query (code issued, signed in, trained, accredited, checked in today, last seen, open alerts).

A mission has thousands of observers: every column is a subquery of the one statement, never a
query per row."""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counts.models import ProtocolCopy, TurnoutCount
from outreach.models import Alert, AlertStatus
from people.models import Assignment, Membership, ObserverToken, Organization, Role, SignInCode
from people.selectors import scoped_for_staff
from reports.models import CheckIn, IncidentReport
from stations.models import District, Election

# Seeing the roster is seeing the organization's memberships: reviewers and coordinators may.
PERMISSION = "people.view_membership"
# Stands for "never" inside the last-seen expression: SQLite's MAX() of several values is NULL
# as soon as one of them is, PostgreSQL's GREATEST skips NULLs; with this floor both agree.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

STATUSES = {
    "no_code": (_("no sign-in code"), Q(code_issued_at__isnull=True)),
    "not_signed_in": (_("not signed in"), Q(signed_in_at__isnull=True)),
    "checked_in": (_("checked in today"), Q(checked_in_today=True)),
    "not_checked_in": (_("not checked in today"), Q(checked_in_today=False)),
    "alert": (_("with an open alert"), Q(open_alerts__gt=0)),
    "untrained": (_("not trained"), Q(trained_on__isnull=True)),
    "unaccredited": (_("not accredited"), Q(accreditation_number="")),
}


def staff_organizations(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The organizations whose observers the user may see on the roster and the missing list."""
    if not user.is_superuser and not user.has_perm(PERMISSION):
        return Organization.objects.none()
    return scoped_for_staff(Organization.objects.all(), user, "pk", PERMISSION)


def organization_get_for_staff(user: AbstractBaseUser, slug: str | None) -> Organization:
    """The named organization (by default the first) if the user may see it; 404 otherwise."""
    organizations = staff_organizations(user)
    organization = organizations.filter(slug=slug).first() if slug else organizations.first()
    if organization is None:
        raise Http404(_("No such organization."))
    return organization


def election_get(slug: str | None) -> Election:
    """The named election, or the most recent one; 404 when there is none."""
    election = Election.objects.filter(slug=slug).first() if slug else Election.objects.first()
    if election is None:
        raise Http404(_("No such election."))
    return election


def district_get(election: Election, value: str | None) -> District | None:
    if not value:
        return None
    if not value.isdigit():
        raise Http404(_("No such district."))
    district = District.objects.filter(election=election, number=int(value)).first()
    if district is None:
        raise Http404(_("No such district."))
    return district


def local_day(election: Election, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Today in the election's own time zone, as a half-open span of aware datetimes."""
    zone = ZoneInfo(election.timezone)
    today = timezone.localtime(now or timezone.now(), zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    return start, datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)


def latest(queryset: QuerySet, field: str) -> Subquery:
    return Subquery(queryset.exclude(**{f"{field}__isnull": True}).order_by(f"-{field}").values(field)[:1])


def last_seen() -> Greatest:
    """The latest of the observer's token use and their submissions (check-ins, reports, counts)."""
    user = OuterRef("user_id")
    parts = [
        latest(ObserverToken.objects.filter(user=user), "last_used_at"),
        latest(CheckIn.objects.filter(observer=user), "received_at"),
        latest(IncidentReport.objects.filter(observer=user), "received_at"),
        latest(TurnoutCount.objects.filter(observer=user), "received_at"),
        latest(ProtocolCopy.objects.filter(observer=user), "received_at"),
    ]
    floor = Value(NEVER, output_field=DateTimeField())
    return Greatest(*[Coalesce(part, floor, output_field=DateTimeField()) for part in parts])


def open_alerts() -> Coalesce:
    counted = (
        Alert.objects.filter(membership=OuterRef("pk"), status=AlertStatus.OPEN)
        .values("membership")
        .annotate(open=Count("pk"))
        .values("open")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def roster_rows(
    *,
    organization: Organization,
    election: Election,
    district: District | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Membership]:
    """The organization's observers in this election (assigned to one of its stations, or to none
    yet), each with the day's columns; filtered by the district of an assignment and by status."""
    member = OuterRef("pk")
    assigned_here = Assignment.objects.filter(membership=member, station__election=election)
    rows = Membership.objects.filter(organization=organization, role=Role.OBSERVER).filter(
        Exists(assigned_here) | ~Exists(Assignment.objects.filter(membership=member))
    )
    if district is not None:
        rows = rows.filter(Exists(assigned_here.filter(station__district=district)))
    start, end = local_day(election, now)
    rows = rows.select_related("user").annotate(
        code_issued_at=latest(SignInCode.objects.filter(membership=member), "created_at"),
        signed_in_at=Coalesce(
            latest(SignInCode.objects.filter(membership=member), "used_at"),
            latest(ObserverToken.objects.filter(user=OuterRef("user_id")), "created_at"),
        ),
        checked_in_today=Exists(
            CheckIn.objects.filter(
                observer=OuterRef("user_id"),
                organization=organization,
                election=election,
                at__gte=start,
                at__lt=end,
            )
        ),
        last_seen_at=last_seen(),
        open_alerts=open_alerts(),
    )
    if status:
        rows = rows.filter(STATUSES[status][1])
    return rows.order_by("user__last_name", "user__first_name", "user__username")


def seen(value: datetime | None) -> datetime | None:
    """The last-seen annotation with its floor turned back into "never"."""
    return None if value is None or value <= NEVER else value


def stations_of(memberships: list[Membership], election: Election) -> dict[int, list[str]]:
    """Membership id → the numbers of its stations in this election, in one query."""
    stations = defaultdict(list)
    rows = (
        Assignment.objects.filter(membership__in=memberships, station__election=election)
        .order_by("station__number")
        .values_list("membership_id", "station__number")
    )
    for membership_id, number in rows:
        stations[membership_id].append(number)
    return stations


def observer_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()
