"""Figures kept while the data keeps changing (core/recent.py): the dashboard's report figures and
count board are shown as last computed, with their time, and refreshed in the background."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from console.board import dashboard_for_user
from core.recent import lock_key, recent_figures
from reports.models import IncidentReport
from stations.models import Election
from tests.console.test_dashboard import local, report

KEY = "tests:recent"


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the refresh did not finish"
        time.sleep(0.02)


@pytest.fixture
def election(db):
    return Election.objects.create(
        slug="test-2023", name="Test 2023", date=date(2023, 3, 19), timezone="Asia/Almaty"
    )


@pytest.fixture
def keep_for(settings):
    def keep(seconds: int) -> None:
        settings.RECENT_FIGURES_SECONDS = seconds

    return keep


def test_figures_for_unchanged_data_are_computed_once(keep_for):
    keep_for(60)
    calls = []

    first = recent_figures(KEY, "state-1", lambda: calls.append(1) or "figures 1")
    again = recent_figures(KEY, "state-1", lambda: calls.append(1) or "figures 1")

    assert (first.value, first.current, again.value, again.current) == ("figures 1", True, "figures 1", True)
    assert again.computed_at == first.computed_at
    assert len(calls) == 1


def test_young_figures_are_shown_for_changed_data_without_computing(keep_for):
    keep_for(60)
    recent_figures(KEY, "state-1", lambda: "figures 1")

    shown = recent_figures(KEY, "state-2", lambda: pytest.fail("computed while the figures are young"))

    assert (shown.value, shown.current, shown.refreshing) == ("figures 1", False, False)


def test_old_figures_are_shown_while_one_refresh_brings_them_up_to_date(keep_for):
    keep_for(1)
    recent_figures(KEY, "state-1", lambda: "figures 1")
    time.sleep(1.05)
    release, calls = threading.Event(), []

    def slow_figures() -> str:
        calls.append(1)
        assert release.wait(10)
        return "figures 2"

    readers = [recent_figures(KEY, "state-2", slow_figures) for _ in range(5)]

    # Every reader got the last figures at once, and only the first started a refresh.
    assert {(r.value, r.current, r.refreshing) for r in readers} == {("figures 1", False, True)}
    release.set()
    wait_for(lambda: cache.get(lock_key(KEY)) is None)
    assert len(calls) == 1
    now = recent_figures(KEY, "state-2", lambda: pytest.fail("computed again"))
    assert (now.value, now.current) == ("figures 2", True)
    assert now.computed_at > readers[0].computed_at


def test_a_refresh_that_fails_keeps_the_last_figures_and_frees_the_next_one(keep_for, caplog):
    keep_for(1)
    recent_figures(KEY, "state-1", lambda: "figures 1")
    time.sleep(1.05)

    def broken() -> str:
        raise RuntimeError("the database went away")

    assert recent_figures(KEY, "state-2", broken).refreshing
    wait_for(lambda: cache.get(lock_key(KEY)) is None)

    assert "could not be refreshed" in caplog.text
    assert recent_figures(KEY, "state-2", lambda: "figures 2").value == "figures 1"
    wait_for(lambda: cache.get(lock_key(KEY)) is None)
    assert recent_figures(KEY, "state-2", lambda: pytest.fail("computed again")).value == "figures 2"


def test_with_no_time_set_the_figures_always_describe_the_data(keep_for):
    keep_for(0)
    recent_figures(KEY, "state-1", lambda: "figures 1")

    shown = recent_figures(KEY, "state-2", lambda: "figures 2")

    assert (shown.value, shown.current) == ("figures 2", True)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_shows_its_last_report_figures_with_their_time_then_the_new_ones(
    keep_for, client, election, make_station, make_member, organization, superuser
):
    station = make_station("101")
    observer = make_member("observer-a", organization, stations=[station])
    report(observer, organization, station, at=local("2023-03-19T09:00"))
    keep_for(1)
    assert dashboard_for_user(user=superuser, election=election).totals.submitted == 1

    report(observer, organization, station, at=local("2023-03-19T10:00"))
    kept = dashboard_for_user(user=superuser, election=election)
    assert (kept.totals.submitted, kept.figures_current) == (1, False)
    client.force_login(superuser)
    page = client.get(f"/admin/dashboard/?election={election.slug}").content.decode()
    assert 'id="figures-age"' in page
    assert "Report figures as of" in page

    time.sleep(1.05)
    dashboard_for_user(user=superuser, election=election)  # starts the refresh
    wait_for(lambda: dashboard_for_user(user=superuser, election=election).figures_current)

    fresh = dashboard_for_user(user=superuser, election=election)
    assert fresh.totals.submitted == IncidentReport.objects.count() == 2
    assert fresh.figures_at - kept.figures_at >= timedelta(seconds=1)
    assert (
        'id="figures-age"' not in client.get(f"/admin/dashboard/?election={election.slug}").content.decode()
    )
