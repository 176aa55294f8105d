"""The two Majilis contests of the test election, and the clients the count tests use."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from counts.models import Choice, Contest, ContestKind
from reports.services import token_issue

PARTIES = [("amanat", "Amanat"), ("auyl", "Auyl"), ("respublica", "Respublica")]


@dataclass
class Contests:
    party_list: Contest
    smd: Contest


@pytest.fixture
def contests(election, station, make_station) -> Contests:
    """A party list, and candidates standing in district 1 (the station's) and in district 2."""
    elsewhere = make_station("201", district=2)
    party_list = Contest.objects.create(
        election=election, code="party_list", name="Party list", kind=ContestKind.PARTY_LIST
    )
    for position, (code, name) in enumerate(PARTIES, start=1):
        Choice.objects.create(contest=party_list, code=code, name=name, position=position)
    smd = Contest.objects.create(
        election=election, code="smd", name="Single-mandate district", kind=ContestKind.CANDIDATES
    )
    Choice.objects.create(
        contest=smd, code="d1-ivanova", name="A. Ivanova", district=station.district, position=1
    )
    Choice.objects.create(
        contest=smd, code="d1-seitkali", name="B. Seitkali", district=station.district, position=2
    )
    Choice.objects.create(
        contest=smd, code="d2-omarov", name="C. Omarov", district=elsewhere.district, position=1
    )
    return Contests(party_list=party_list, smd=smd)


@pytest.fixture
def signed_in(request):
    """A client signed in with a session as a user, or the user of the named fixture (None: anonymous)."""

    def make(who) -> APIClient:
        client = APIClient()
        if isinstance(who, str):
            who = request.getfixturevalue(who)
        if who is not None:
            client.force_login(who)
        return client

    return make


@pytest.fixture
def observer_api(observer) -> APIClient:
    client = APIClient()
    client.force_login(observer)
    return client


@pytest.fixture
def bearer():
    """A client that sends only `Authorization: Bearer <key>` for a new token of `user`."""

    def make(user) -> APIClient:
        _token, key = token_issue(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
