"""Two organizations on one election: A (ours) with observers at sampled stations, B (theirs) with
its own observer; staff of both in their groups, so that every role of the matrix is at hand."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.keys import key_create
from partners.models import Partner, Scope
from people.models import Membership, Role
from people.roles import ensure_groups
from reports.models import CheckIn

ALMATY = ZoneInfo("Asia/Almaty")


def in_group(user, group: str):
    ensure_groups()
    user.groups.add(Group.objects.get(name=group))
    return user


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def check_in(user, station, *, kind="arrival", at=None, organization=None) -> CheckIn:
    organization = organization or user.memberships.get().organization
    return CheckIn.objects.create(
        observer=user,
        organization=organization,
        election=station.election,
        station=station,
        kind=kind,
        at=at or timezone.now(),
    )


@pytest.fixture
def team(db, election, organization, other_organization, make_member, make_station, superuser):
    """Observers of A at sampled stations 101 (district 1) and 102 (district 2), one of B at 201,
    and a station 103 outside the sample; reviewers and coordinators of A and of B."""
    election.refresh_from_db()  # its date as a date, not the string it was created with
    sampled = [
        make_station("101", district=1, in_sample=True, name="School 5"),
        make_station("102", district=2, in_sample=True, name="School 9"),
    ]
    outside = make_station("103", district=1)
    theirs = make_station("201", district=2, in_sample=True)
    aigerim = make_member(
        "aigerim", organization, stations=[sampled[0]], first_name="Aigerim", last_name="Nurlanova"
    )
    bolat = make_member("bolat", organization, stations=[sampled[1], outside], first_name="Bolat")
    dana = make_member("dana", other_organization, stations=[theirs], first_name="Dana")
    Membership.objects.filter(user=aigerim).update(phone="+7 701 111 2233")
    Membership.objects.filter(user=bolat).update(phone="+7 701 444 5566")
    staff = {
        "reviewer_a": ("Reviewer", Role.REVIEWER, organization),
        "coordinator_a": ("Coordinator", Role.COORDINATOR, organization),
        "reviewer_b": ("Reviewer", Role.REVIEWER, other_organization),
        "coordinator_b": ("Coordinator", Role.COORDINATOR, other_organization),
    }
    people = {
        name: in_group(make_member(name, org, role=role, is_staff=True), group)
        for name, (group, role, org) in staff.items()
    }
    return SimpleNamespace(
        election=election,
        a=organization,
        b=other_organization,
        sampled=sampled,
        outside=outside,
        theirs=theirs,
        aigerim=aigerim,
        bolat=bolat,
        dana=dana,
        superuser=superuser,
        **people,
    )


@pytest.fixture
def as_who(team):
    """A browser-like client signed in as one of the matrix's roles ("anonymous": nobody; "partner":
    a partner of A sending its API key, which the admin does not take)."""

    def make(who: str) -> Client:
        client = Client()
        if who == "partner":
            partner = Partner.objects.create(name="Daily Steppe", organization=team.a)
            _row, key = key_create(partner=partner, scopes=list(Scope.values), days=30)
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        elif who == "observer":
            client.force_login(team.aigerim)
        elif who != "anonymous":
            client.force_login(getattr(team, who))
        return client

    return make


def page(name: str, team, **params) -> str:
    query = {"organization": team.a.slug, "election": team.election.slug, **params}
    return reverse(f"admin:roster_{name}") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


# Who sees organization A's roster and missing list: its reviewers and coordinators, superusers.
ALLOWED = ["reviewer_a", "coordinator_a", "superuser"]
# Staff of B asking for A's pages get the 404 of a missing organization.
NOT_YOURS = ["reviewer_b", "coordinator_b"]
# Not staff at all: the admin sends them to its sign-in page.
SIGN_IN = ["anonymous", "observer", "partner"]


def yesterday() -> datetime:
    return timezone.now() - timedelta(days=1)
