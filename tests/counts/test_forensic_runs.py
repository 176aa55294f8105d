"""Loading a country's published results takes three commands, after which the forensic tests run
on their own; `forensics` runs them again on demand and prints them, as a table or as JSON."""

import csv
import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from core.errors import ApplicationError
from counts.forensic_runs import forensics_run, latest_forensics
from counts.forensics.params import TESTS
from counts.models import Contest, ForensicRun

pytestmark = pytest.mark.django_db

PARTIES = ("edro", "kprf", "ldpr")
DISTRICTS = 10
PER_DISTRICT = 200


def country(tmp_path, *, whole_percent_district: int | None = None):
    """2,000 stations numbered per region ("77-1234"), with honest binomial results, except that
    `whole_percent_district` reports whole-percent turnouts at a third of its stations."""
    rng = np.random.default_rng(11)
    stations, results = io.StringIO(), io.StringIO()
    station_writer, result_writer = csv.writer(stations), csv.writer(results)
    station_writer.writerow(
        [
            "region",
            "district_number",
            "district_name",
            "station_number",
            "name",
            "address",
            "latitude",
            "longitude",
            "registered_voters",
        ]
    )
    result_writer.writerow(
        ["station_number", "registered", "ballots_issued", "ballots_in_boxes", "invalid", *PARTIES]
    )
    for district in range(1, DISTRICTS + 1):
        region = 70 + (district - 1) // 2
        for index in range(PER_DISTRICT):
            number = f"{region}-{district * 1000 + index}"
            registered = int(rng.integers(400, 3000))
            station_writer.writerow(
                [f"Region {region}", district, f"District {district}", number, "", "", "", "", registered]
            )
            turnout = float(np.clip(rng.normal(0.55, 0.08), 0.2, 0.9))
            ballots = int(rng.binomial(registered, turnout))
            if district == whole_percent_district and index % 3 == 0:
                ballots = round(registered * round(turnout * 100) / 100)
            invalid = int(rng.binomial(ballots, 0.02))
            votes = rng.multinomial(ballots - invalid, [0.5, 0.3, 0.2])
            result_writer.writerow([number, registered, ballots, ballots, invalid, *votes])
    (tmp_path / "stations.csv").write_text(stations.getvalue())
    (tmp_path / "results.csv").write_text(results.getvalue())
    return tmp_path


def load(tmp_path, election):
    call_command("import_stations", str(tmp_path / "stations.csv"), election=election.slug)
    call_command(
        "import_contest", election=election.slug, code="duma", name="State Duma", choices=",".join(PARTIES)
    )
    call_command("import_results", str(tmp_path / "results.csv"), election=election.slug, contest="duma")


def test_three_commands_load_a_country_and_the_tests_run_after_the_import(
    election, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load(country(tmp_path), election)
    assert election.stations.filter(number="70-1000").exists()
    run = latest_forensics(Contest.objects.get(code="duma"))  # run by the task the import queued
    assert run is not None and run.leader == "edro"
    assert len(run.results["districts"]) == DISTRICTS
    assert all(item["stations"] == PER_DISTRICT for item in run.results["districts"])


def test_the_forensics_command_prints_one_object_per_district_and_the_national_summary(
    election, tmp_path, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load(country(tmp_path, whole_percent_district=4), election)
    capsys.readouterr()
    call_command("forensics", election=election.slug, contest="duma", as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert (data["contest"], data["leader"]) == ("duma", "edro")
    districts = {item["district"]: item for item in data["districts"]}
    assert set(districts) == set(range(1, DISTRICTS + 1))
    planted = districts[4]
    assert (planted["name"], planted["stations"]) == ("District 4", PER_DISTRICT)
    assert set(TESTS) <= set(planted)
    assert planted["integer"]["flagged"] is True and planted["integer"]["z"] > 5
    assert planted["F"] >= 1
    assert not any(item["integer"]["flagged"] for number, item in districts.items() if number != 4)
    assert data["national"]["stations"] == DISTRICTS * PER_DISTRICT
    assert ForensicRun.objects.count() == 2  # after the import, and this one


def test_the_table_says_which_districts_are_flagged(election, tmp_path, capsys):
    load(country(tmp_path, whole_percent_district=4), election)
    capsys.readouterr()
    call_command("forensics", election=election.slug, contest="duma")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.endswith("District 4"))
    assert "FLAG" in line
    assert "not proof" in out


def test_the_same_results_and_seed_give_the_same_run(election, tmp_path):
    load(country(tmp_path), election)
    contest = Contest.objects.get(code="duma")
    assert forensics_run(contest=contest).results == forensics_run(contest=contest).results
    assert forensics_run(contest=contest, seed=5).seed == 5


def test_the_leader_can_be_named_and_must_be_a_choice(election, tmp_path):
    load(country(tmp_path), election)
    contest = Contest.objects.get(code="duma")
    assert forensics_run(contest=contest, leader="kprf").leader == "kprf"
    with pytest.raises(ApplicationError, match="not a choice of contest duma"):
        forensics_run(contest=contest, leader="nobody")


def test_bad_requests_get_a_clear_message(election, tmp_path):
    with pytest.raises(CommandError, match="No contest"):
        call_command("forensics", election=election.slug, contest="duma")
    call_command("import_contest", election=election.slug, code="duma", name="State Duma", choices="a,b")
    with pytest.raises(CommandError, match="no official results yet"):
        call_command("forensics", election=election.slug, contest="duma")
    with pytest.raises(CommandError, match="seed"):
        call_command("forensics", election=election.slug, contest="duma", seed=-1)
