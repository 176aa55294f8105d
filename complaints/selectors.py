"""Permission-scoped reads of complaints: an observer's own (filed in their name), the staff's
overdue list and a district's complaints, and the counts every organization's filed complaints
add up to. A complaint that is missing and one that is not yours are the same NotFound."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintAction, ComplaintPack, Outcome, PackStatus, Status
from core.errors import NotFound
from people.selectors import scoped_for_staff
from stations.models import District

# The permission that lets staff read complaints in an organization (people.roles).
VIEW = "complaints.view_complaint"
# A filed complaint has a filing time whatever became of it since (answered, appealed, closed);
# a draft closed unfiled has none.
FILED = Q(filed_at__isnull=False)
# The largest id the database's integer column holds: a larger number in a URL names no complaint.
MAX_ID = 2_147_483_647
# What a complaint can be once filed.
FILED_STATUSES = (Status.FILED, Status.ANSWERED, Status.APPEALED, Status.CLOSED)


def filed_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(FILED)


def complaints_filed_for_observer(user: AbstractBaseUser) -> QuerySet[Complaint]:
    """The complaints filed in the observer's own name, newest filing first. The observer is the
    complainant only with their recorded consent (complaints.services); drafts are not listed."""
    return (
        filed_complaints()
        .filter(complainant_id=user.pk)
        .select_related("election", "station", "district")
        .order_by("-filed_at", "-id")
    )


def complaint_get_for_observer(*, user: AbstractBaseUser, complaint_id: int) -> Complaint:
    if not 0 < complaint_id <= MAX_ID:
        raise NotFound(_("No such complaint."))
    complaint = complaints_filed_for_observer(user).select_related("template").filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("No such complaint."))
    return complaint


def complaint_stored_pdf(complaint: Complaint) -> ComplaintPack | None:
    """The newest PDF built after the complaint's filing was recorded, if any: from then on its
    text no longer changes, so that PDF is the text as filed; an older one may hold a draft's."""
    recorded = complaint.events.filter(action=ComplaintAction.FILE).order_by("-at").values("at")[:1]
    return (
        complaint.packs.filter(status=PackStatus.DONE, finished_at__gte=Subquery(recorded))
        .exclude(pdf="")
        .order_by("-finished_at")
        .first()
    )


def complaints_for_staff(user: AbstractBaseUser) -> QuerySet[Complaint]:
    """The complaints of the organizations where the user's role lets them read complaints."""
    return scoped_for_staff(Complaint.objects.all(), user, permission=VIEW)


def overdue_complaints_for_staff(user: AbstractBaseUser, now: datetime | None = None) -> QuerySet[Complaint]:
    """Filed, unanswered and past the commission's deadline: the longest overdue first."""
    return complaints_for_staff(user).overdue(now or timezone.now()).for_list().order_by("deadline_at", "id")


def district_complaints_for_staff(user: AbstractBaseUser, district: District) -> QuerySet[Complaint]:
    """The user's organizations' complaints filed with or about the district's commissions."""
    return (
        complaints_for_staff(user)
        .filter(FILED, district=district)
        .select_related("station", "organization")
        .order_by("-filed_at", "-id")
    )


def count_aggregates(path: str = "", now: datetime | None = None) -> dict:
    """Counts of filed complaints in each status and with each outcome, the overdue ones and all,
    as conditional aggregates over `path` (empty: the complaints themselves; "complaints": a
    district's), so that every figure comes from one query."""
    prefix = f"{path}__" if path else ""
    pk = f"{prefix}pk"

    def where(**conditions) -> Q:
        return Q(**{f"{prefix}filed_at__isnull": False}, **{prefix + k: v for k, v in conditions.items()})

    return {
        "filed": Count(pk, filter=where()),
        "overdue": Count(pk, filter=where(status=Status.FILED, deadline_at__lt=now or timezone.now())),
        "no_outcome": Count(pk, filter=where(outcome="")),
        **{f"status_{value}": Count(pk, filter=where(status=value)) for value in FILED_STATUSES},
        **{f"outcome_{value}": Count(pk, filter=where(outcome=value)) for value in Outcome.values},
    }


def outcome_counts(complaints: QuerySet[Complaint]) -> dict[str, int]:
    """The figures of count_aggregates over these complaints (drafts are not counted)."""
    return complaints.order_by().aggregate(**count_aggregates())
