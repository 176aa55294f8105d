"""Whether an observer may write at a station, and for which organization: the one query that every
observer's write runs (people.selectors.station_get_for_observer and station_for_new_row).

It is written in SQL (core/rows.py) because it runs on every report, check-in and count of election
day: the ORM spends longer composing it than the database answering it. The rule is the one the
rest of Baqylau applies: a membership with the observer role, assigned to the station, or a roaming
one assigned anywhere in the station's district; among several, the one assigned to the station
first, then by organization name. tests/api/test_ingest_queries.py pins the rule and the statements.
"""

from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Model

from core import rows
from people.models import Assignment, Membership, Organization, Role
from stations.models import Election, PollingStation

# The largest id a database's integer columns hold; a larger one is no station's.
MAX_ID = 2**63 - 1

SQL = """
SELECT {station_columns}, {election_columns},
    COALESCE(
        (SELECT m.organization_id FROM {membership} m
            JOIN {assignment} a ON a.membership_id = m.id
            JOIN {organization} o ON o.id = m.organization_id
        WHERE m.user_id = %(user)s AND m.role = %(observer)s AND a.station_id = s.id
        ORDER BY o.name LIMIT 1),
        (SELECT m.organization_id FROM {membership} m
            JOIN {assignment} a ON a.membership_id = m.id
            JOIN {station} assigned ON assigned.id = a.station_id
            JOIN {organization} o ON o.id = m.organization_id
        WHERE m.user_id = %(user)s AND m.role = %(observer)s AND m.roaming = %(roaming)s
            AND assigned.district_id = s.district_id
        ORDER BY o.name LIMIT 1)
    ),
    {owner}
FROM {station} s
    JOIN {election} e ON e.id = s.election_id
WHERE s.id = %(station)s
"""
OWNER = "(SELECT r.{owner} FROM {table} r WHERE r.{pk} = %(row)s)"


@cache
def _sql(owner_model: type[Model] | None, owner: str) -> str:
    """The query; with `owner_model`, it also reads the `owner` of that model's row with an id."""
    quote = connection.ops.quote_name
    owner_sql = "NULL"
    if owner_model is not None:
        meta = owner_model._meta
        owner_sql = OWNER.format(
            owner=quote(meta.get_field(owner).column), table=rows.table(owner_model), pk=quote(meta.pk.column)
        )
    return SQL.format(
        station_columns=rows.columns(PollingStation, "s"),
        election_columns=rows.columns(Election, "e"),
        station=rows.table(PollingStation),
        election=rows.table(Election),
        membership=rows.table(Membership),
        assignment=rows.table(Assignment),
        organization=rows.table(Organization),
        owner=owner_sql,
    )


def find(
    user: AbstractBaseUser, station_id, *, owner_model: type[Model] | None = None, owner: str = "", row=None
) -> tuple[PollingStation, int | None, object] | None:
    """(the station with its election, the observer's organization there or None, the
    `owner` of `owner_model`'s row whose id is `row`, as the database stores it, or None), or None
    when there is no such station."""
    try:
        station_id = int(station_id)
    except (TypeError, ValueError):
        return None
    if not 0 < station_id <= MAX_ID:
        return None
    params = {"user": user.pk, "observer": Role.OBSERVER.value, "roaming": True, "station": station_id}
    if owner_model is not None:
        params["row"] = row
    with rows.cursor() as cursor:
        cursor.execute(_sql(owner_model, owner), params)
        found = cursor.fetchone()
    if found is None:
        return None
    (station, election), (organization_id, owner_id) = rows.instances(found, PollingStation, Election)
    station.election = election
    return station, organization_id, owner_id
