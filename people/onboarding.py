"""Observers onboarded in bulk from the list a coordinator keeps: a CSV or an Excel workbook (.xlsx)
with the columns full_name, phone, email, language, stations, roaming.

Every line is checked and every problem gathered with its line number before anything is written:
a bad file changes nothing. A second import of the same people updates them, found by their phone
and then by their e-mail address among the organization's members, and creates nobody twice.
New observers get a username numbered within the organization (never made of their name, which
is forgotten after the mission) and no password: they sign in with the codes of people/codes.py.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotFound
from people.codes import may_coordinate
from people.models import Assignment, Membership, Organization, Role
from people.observer_file import COLUMNS, ObserverRow, normalize_phone, read_observer_file
from stations.importers import CsvImportError, RowError
from stations.models import Election, PollingStation

__all__ = ["COLUMNS", "OnboardingResult", "normalize_phone", "observers_import", "read_observer_file"]


@dataclass(frozen=True)
class OnboardingResult:
    rows: int
    created: int
    updated: int
    assigned: int
    unassigned: int


# --- Checking the rows against the database ----------------------------------------------------


def _repeats(rows: list[ObserverRow]) -> list[RowError]:
    """A phone or an e-mail address given twice would make two observers of one person."""
    errors: list[RowError] = []
    first_phone: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for row in rows:
        for value, first, what in (
            (row.phone, first_phone, _("phone")),
            (row.email, first_email, _("e-mail")),
        ):
            line = first.setdefault(value, row.line) if value else row.line
            if line != row.line:
                errors.append(
                    RowError(
                        row.line,
                        _("the %(what)s %(value)s is already on line %(line)d.")
                        % {"what": what, "value": value, "line": line},
                    )
                )
    return errors


def _stations(rows: list[ObserverRow], election: Election | None) -> tuple[dict[str, int], list[RowError]]:
    """The election's stations named in the file, by number, and the lines naming others."""
    wanted = {number for row in rows for number in row.stations}
    if election is None:
        errors = [
            RowError(row.line, _("stations are given but no election was chosen."))
            for row in rows
            if row.stations
        ]
        return {}, errors
    found = dict(
        PollingStation.objects.filter(election=election, number__in=wanted).values_list("number", "pk")
    )
    elsewhere = dict(
        PollingStation.objects.filter(number__in=wanted - set(found))
        .exclude(election=election)
        .values_list("number", "election__name")
    )
    errors = []
    for row in rows:
        for number in row.stations:
            if number in found:
                continue
            if number in elsewhere:
                message = _("station %(number)s is one of %(other)s, not of %(election)s.") % {
                    "number": number,
                    "other": elsewhere[number],
                    "election": election.name,
                }
            else:
                message = _("no station numbered %(number)s in %(election)s.") % {
                    "number": number,
                    "election": election.name,
                }
            errors.append(RowError(row.line, message))
    return found, errors


def _members(organization: Organization) -> tuple[dict[str, Membership], dict[str, Membership]]:
    """The organization's members by phone (written as the import writes it) and by e-mail address."""
    by_phone: dict[str, Membership] = {}
    by_email: dict[str, Membership] = {}
    for membership in Membership.objects.filter(organization=organization).select_related("user"):
        phone = normalize_phone(membership.phone) if membership.phone else None
        if phone:
            by_phone.setdefault(phone, membership)
        if membership.user.email:
            by_email.setdefault(membership.user.email.lower(), membership)
    return by_phone, by_email


def _matches(
    rows: list[ObserverRow], organization: Organization
) -> tuple[dict[int, Membership], list[RowError]]:
    """The member each line updates, by line: found by phone, then by e-mail address."""
    by_phone, by_email = _members(organization)
    matches: dict[int, Membership] = {}
    errors: list[RowError] = []
    first_line: dict[int, int] = {}
    for row in rows:
        phone_match, email_match = by_phone.get(row.phone), by_email.get(row.email)
        match = phone_match or email_match
        if match is None:
            continue
        if email_match is not None and phone_match is not None and email_match != phone_match:
            errors.append(
                RowError(
                    row.line,
                    _("the phone is %(one)s's and the e-mail %(other)s's: which one is this?")
                    % {"one": phone_match.user.get_username(), "other": email_match.user.get_username()},
                )
            )
        elif match.role != Role.OBSERVER:
            errors.append(
                RowError(
                    row.line,
                    _("%(user)s is a %(role)s of %(organization)s, not an observer.")
                    % {
                        "user": match.user.get_username(),
                        "role": match.get_role_display().lower(),
                        "organization": organization.name,
                    },
                )
            )
        elif first_line.setdefault(match.pk, row.line) != row.line:
            errors.append(
                RowError(
                    row.line,
                    _("this is %(user)s again, as on line %(line)d.")
                    % {"user": match.user.get_username(), "line": first_line[match.pk]},
                )
            )
        else:
            matches[row.line] = match
    return matches, errors


# --- Writing -----------------------------------------------------------------------------------


def _usernames(organization: Organization, count: int) -> list[str]:
    """citizen-watch-0001, -0002…: numbered after the organization's highest, so that the same file
    loaded into an empty database always gives the same names, and no name says who the observer is."""
    prefix = f"{organization.slug}-"
    taken = get_user_model().objects.filter(username__startswith=prefix).values_list("username", flat=True)
    numbers = [int(rest) for name in taken if (rest := name[len(prefix) :]).isdecimal()]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{number:04d}" for number in range(start, start + count)]


def _create(rows: list[ObserverRow], organization: Organization) -> dict[int, Membership]:
    """New observers without a password (an unusable one: they sign in with codes), by line."""
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=username, first_name=row.full_name, email=row.email, password=make_password(None))
        for row, username in zip(rows, _usernames(organization, len(rows)), strict=True)
    )
    memberships = Membership.objects.bulk_create(
        Membership(
            user=user,
            organization=organization,
            role=Role.OBSERVER,
            phone=row.phone,
            language=row.language,
            roaming=row.roaming,
        )
        for row, user in zip(rows, users, strict=True)
    )
    return {row.line: membership for row, membership in zip(rows, memberships, strict=True)}


USER_FIELDS = ("first_name", "last_name", "email")
MEMBERSHIP_FIELDS = ("phone", "language", "roaming")
# Small batches: a bulk update is one CASE per column, which the database walks for every row.
UPDATE_BATCH = 250


def _update(rows: list[ObserverRow], matches: dict[int, Membership]) -> None:
    """The file's values over the stored ones; a phone or e-mail left empty keeps the stored one.
    Only the rows that change are written: a list loaded again usually changes few people."""
    users, memberships = [], []
    for row in rows:
        membership = matches[row.line]
        user = membership.user
        # The whole name in one field: which word is the family name differs from one list to the next.
        wanted_user = (row.full_name, "", row.email or user.email)
        wanted_membership = (row.phone or membership.phone, row.language, row.roaming)
        if wanted_user != tuple(getattr(user, field) for field in USER_FIELDS):
            user.first_name, user.last_name, user.email = wanted_user
            users.append(user)
        if wanted_membership != tuple(getattr(membership, field) for field in MEMBERSHIP_FIELDS):
            membership.phone, membership.language, membership.roaming = wanted_membership
            memberships.append(membership)
    get_user_model().objects.bulk_update(users, USER_FIELDS, batch_size=UPDATE_BATCH)
    Membership.objects.bulk_update(memberships, MEMBERSHIP_FIELDS, batch_size=UPDATE_BATCH)


def _assign(rows, memberships: dict[int, Membership], stations: dict[str, int], election) -> tuple[int, int]:
    """Each listed observer's stations in the election become those of the file: (added, removed)."""
    wanted = {(memberships[row.line].pk, stations[number]) for row in rows for number in row.stations}
    ids = {membership.pk for membership in memberships.values()}
    current = Assignment.objects.filter(
        membership__organization_id=next(iter(memberships.values())).organization_id,
        station__election=election,
    ).values_list("pk", "membership_id", "station_id")
    stale = [
        pk
        for pk, membership_id, station_id in current
        if membership_id in ids and (membership_id, station_id) not in wanted
    ]
    have = {(membership_id, station_id) for _pk, membership_id, station_id in current}
    missing = sorted(wanted - have)
    for start in range(0, len(stale), 1000):
        Assignment.objects.filter(pk__in=stale[start : start + 1000]).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(membership_id=membership_id, station_id=station_id)
            for membership_id, station_id in missing
        ],
        ignore_conflicts=True,
    )
    return len(missing), len(stale)


def observers_import(
    *, organization: Organization, election: Election | None, data: bytes, by: AbstractBaseUser | None
) -> OnboardingResult:
    """Create or update the organization's observers listed in the file, and their stations in the
    election. All lines or, on any bad line, nothing (CsvImportError naming each line). `by` is None
    for the operator's management command; otherwise only a coordinator of the organization may."""
    if by is not None and not may_coordinate(by, organization.pk):
        raise NotFound()
    rows, errors = read_observer_file(data)
    with transaction.atomic():
        # One import of an organization at a time: two would number their new observers alike.
        Organization.objects.select_for_update().get(pk=organization.pk)
        stations, station_errors = _stations(rows, election)
        matches, match_errors = _matches(rows, organization)
        errors += _repeats(rows) + station_errors + match_errors
        if not rows and not errors:
            errors.append(RowError(0, _("the file has a header but no observers.")))
        if errors:
            raise CsvImportError(sorted(errors, key=lambda error: error.line))
        new = [row for row in rows if row.line not in matches]
        _update([row for row in rows if row.line in matches], matches)
        memberships = {**matches, **_create(new, organization)}
        assigned, unassigned = _assign(rows, memberships, stations, election) if election else (0, 0)
    return OnboardingResult(len(rows), len(new), len(matches), assigned, unassigned)
