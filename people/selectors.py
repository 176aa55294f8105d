"""Who may see what: an observer's stations and memberships, and the organizations whose data a
member of staff reviews or coordinates. A row you may not see and a missing row raise the same NotFound."""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import rows
from core.errors import NotFound
from core.intake import UNREAD, existing_row, new_row_id
from people import observer_stations
from people.models import Assignment, Membership, ObserverToken, Role
from people.roles import roles_granting
from stations.models import PollingStation

# A phone's token with its user, by the hash of the key it sends.
PHONE_QUERY = """
SELECT {token_columns}, {user_columns} FROM {token} t JOIN {user} u ON u.id = t.user_id
WHERE t.key_hash = %(key_hash)s
"""


@cache
def _token_sql() -> str:
    user = ObserverToken._meta.get_field("user").related_model
    return PHONE_QUERY.format(
        token_columns=rows.columns(ObserverToken, "t"),
        user_columns=rows.columns(user, "u"),
        token=rows.table(ObserverToken),
        user=rows.table(user),
    )


def token_get_by_hash(key_hash: str) -> ObserverToken | None:
    """The token with this key's hash, usable or not, with its user, in one query: every call of an
    observer's phone makes it, so it is written in SQL (core/rows.py)."""
    with rows.cursor() as cursor:
        cursor.execute(_token_sql(), {"key_hash": key_hash})
        found = cursor.fetchone()
    if found is None:
        return None
    (token, user), _rest = rows.instances(
        found, ObserverToken, ObserverToken._meta.get_field("user").related_model
    )
    token.user = user
    return token


def observer_memberships(user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=Role.OBSERVER).select_related("organization")


def assigned_stations(user: AbstractBaseUser) -> QuerySet[PollingStation]:
    """The stations an observer is expected at, for their start page (roaming adds none)."""
    assigned = Assignment.objects.filter(membership__user=user, membership__role=Role.OBSERVER)
    return PollingStation.objects.filter(pk__in=assigned.values("station_id")).select_related(
        "district", "election"
    )


def station_get_for_observer(*, user: AbstractBaseUser, station_id) -> tuple[PollingStation, int]:
    """The station (with its election) and the id of the organization the observer
    reports to there, in one query (people.observer_stations), or NotFound."""
    found = observer_stations.find(user, station_id)
    if found is None or found[1] is None:
        raise NotFound(_("No such station among yours."), field="station")
    return found[0], found[1]


def station_for_new_row(
    model, *, pk, observer: AbstractBaseUser, station_id, owner: str = "observer"
) -> tuple[PollingStation | None, int | None, object | None]:
    """Where an observer's new row of `model` goes: (station, organization id, None), in one query
    that also reads the owner of a row with the same id. When a retried request finds the row it
    created: (None, None, that row), whatever the station now is. Someone else's id is refused
    (core.intake.existing_row); a station that is not one of the observer's raises NotFound."""
    row = new_row_id(model, pk)
    found = observer_stations.find(observer, station_id, owner_model=model, owner=owner, row=row)
    # No such station at all: the owner is asked on its own, on the way to a 404.
    owner_id = UNREAD if found is None else found[2]
    if existing := existing_row(model, pk=pk, owner=owner, observer=observer, owner_id=owner_id):
        return None, None, existing
    if found is None or found[1] is None:
        raise NotFound(_("No such station among yours."), field="station")
    return found[0], found[1], None


def memberships_for_user(user: AbstractBaseUser) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organization"))


def roaming_district_numbers(user: AbstractBaseUser) -> QuerySet:
    """The districts a roaming observer may report anywhere in."""
    return (
        Assignment.objects.filter(
            membership__user=user, membership__role=Role.OBSERVER, membership__roaming=True
        )
        .order_by("station__district__number")
        .values_list("station__district__number", flat=True)
        .distinct()
    )


def granted_to_user(user: AbstractBaseUser, permission: str) -> bool:
    """Whether `permission` was given to this user by hand (not through a group): a superuser's
    deliberate choice, which holds in every organization where the user is staff."""
    return permission in ModelBackend().get_user_permissions(user)


def staff_organization_ids(user: AbstractBaseUser, permission: str | None = None) -> QuerySet:
    """The organizations whose data the user reviews or coordinates; with `permission`
    ("app.codename"), only those where the user's role grants it (or all of them when it was given
    to the user by hand)."""
    if permission and not granted_to_user(user, permission):
        roles = roles_granting(permission)
    else:
        roles = [Role.REVIEWER, Role.COORDINATOR]
    return Membership.objects.filter(user=user, role__in=roles).values("organization_id")


def scoped_for_staff(
    queryset: QuerySet,
    user: AbstractBaseUser,
    organization_path: str = "organization",
    permission: str | None = None,
) -> QuerySet:
    """`queryset` cut down to the user's organizations (those where their role grants `permission`,
    when given); superusers see everything, others nothing else."""
    if user.is_superuser:
        return queryset
    if not user.is_active or not user.is_staff:
        return queryset.none()
    return queryset.filter(**{f"{organization_path}__in": staff_organization_ids(user, permission)})


def staff_roles(user: AbstractBaseUser) -> dict[int, str]:
    """The user's staff role in each organization where they hold one, in one query."""
    if not user.is_active or not user.is_staff:
        return {}
    rows = Membership.objects.filter(user=user, role__in=[Role.REVIEWER, Role.COORDINATOR])
    return dict(rows.values_list("organization_id", "role"))


def staff_role(user: AbstractBaseUser, row) -> str | None:
    """The user's review role in the organization of `row` (a report, a protocol copy: anything with
    an organization_id): coordinator, reviewer, or None."""
    if user.is_superuser:
        return Role.COORDINATOR
    roles = set(
        Membership.objects.filter(user=user, organization_id=row.organization_id).values_list(
            "role", flat=True
        )
    )
    for role in (Role.COORDINATOR, Role.REVIEWER):
        if role in roles:
            return role
    return None
