"""Contests and official results: defined from the command line, imported all or nothing with
every bad line named, a corrected file replacing the current results and keeping the old ones."""

import pytest
from django.core.management import CommandError, call_command

from core.errors import ApplicationError
from counts.importers import Ballot, read_results_csv
from counts.models import Choice, Contest, OfficialResult, ResultBatch
from counts.results import ChoiceSpec, contest_define, results_import
from stations.importers import CsvImportError

pytestmark = pytest.mark.django_db

HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid"


@pytest.fixture
def stations(make_station):
    return [make_station("1"), make_station("2"), make_station("3", district=2)]


@pytest.fixture
def party_list(election, stations):
    return contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )


@pytest.fixture
def smd(election, stations):
    return contest_define(
        election=election,
        code="smd",
        name="Single-mandate districts",
        kind="candidates",
        choices=[ChoiceSpec("d1-a", "A", 1), ChoiceSpec("d1-b", "B", 1), ChoiceSpec("d2-a", "C", 2)],
    )


def csv_bytes(*lines: str, header: str = f"{HEADER},amanat,auyl") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def problems(contest, data: bytes) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        read_results_csv(data, Ballot.of(contest))
    return [str(error) for error in caught.value.errors]


def test_a_results_file_is_imported_with_the_valid_votes_added_up(party_list, stations):
    batch = results_import(
        contest=party_list,
        data=csv_bytes("1,1000,600,598,8,400,190", "2,900,500,500,0,300,200"),
        filename="r.csv",
    )
    assert (batch.rows, batch.current) == (2, True)
    first = OfficialResult.objects.get(station=stations[0])
    assert (first.registered, first.ballots_issued, first.ballots_in_boxes, first.invalid, first.valid) == (
        1000,
        600,
        598,
        8,
        590,
    )
    assert first.votes == {"amanat": 400, "auyl": 190}
    assert first.turnout == pytest.approx(0.598)


def test_a_corrected_file_replaces_the_current_results_and_keeps_the_old_ones(party_list, stations):
    old = results_import(contest=party_list, data=csv_bytes("1,1000,600,598,8,400,190"), filename="first.csv")
    new = results_import(
        contest=party_list, data=csv_bytes("1,1000,600,598,8,300,290"), filename="second.csv"
    )
    old.refresh_from_db()
    assert (old.current, new.current) == (False, True)
    assert old.replaced_at is not None
    assert OfficialResult.objects.current().get(station=stations[0]).votes == {"amanat": 300, "auyl": 290}
    assert OfficialResult.objects.filter(batch=old).get().votes == {"amanat": 400, "auyl": 190}


def test_a_bad_file_changes_nothing_and_names_every_problem_with_its_line(party_list, stations):
    results_import(contest=party_list, data=csv_bytes("1,1000,600,598,8,400,190"), filename="good.csv")
    bad = csv_bytes(
        "1,1000,600,598,8,400,190",
        "77,1000,600,598,8,400,190",
        "2,many,600,598,8,400,190",
        "1,1000,600,598,8,400,190",
        "3,900,-5,500,0,,200",
    )
    assert problems(party_list, bad) == [
        "line 3: station 77 is not in this election's station list.",
        "line 4: registered must be a whole number, not 'many'.",
        "line 5: station 1 is already on line 2.",
        "line 6: ballots_issued cannot be negative (-5).",
        "line 6: the votes for amanat are empty.",
    ]
    with pytest.raises(CsvImportError):
        results_import(contest=party_list, data=bad, filename="bad.csv")
    assert ResultBatch.objects.get().filename == "good.csv"
    assert OfficialResult.objects.count() == 1


def test_the_header_must_name_every_choice_of_the_contest_and_nothing_else(party_list):
    assert problems(party_list, csv_bytes("1,1,1,1,0,1,0", header=f"{HEADER},amanat,akzhol")) == [
        "line 1: column(s) akzhol are not choices of this contest (known: amanat, auyl).",
        "line 1: missing column(s) for choice(s): auyl.",
    ]
    assert problems(party_list, b"station_number,registered\n1,2\n") == [
        "line 1: missing column(s): ballots_issued, ballots_in_boxes, invalid."
    ]
    assert problems(party_list, csv_bytes()) == ["the file has a header but no stations."]
    assert problems(party_list, b"\x00\x01binary") == [
        "This is not a CSV text file (it contains binary data)."
    ]


def test_a_candidate_has_votes_only_in_the_district_where_they_stand(smd, stations):
    header = f"{HEADER},d1-a,d1-b,d2-a"
    batch = results_import(
        contest=smd,
        data=csv_bytes("1,1000,600,590,0,300,290,", "3,900,500,500,10,,,490", header=header),
        filename="s",
    )
    assert batch.rows == 2
    assert OfficialResult.objects.get(station=stations[2]).votes == {"d2-a": 490}
    assert problems(smd, csv_bytes("1,1000,600,590,0,300,290,12", header=header)) == [
        "line 2: d2-a does not stand in this station's district but has 12 votes."
    ]


def test_a_contest_without_choices_cannot_take_results(election, stations):
    empty = Contest.objects.create(election=election, code="empty", name="Empty", kind="party_list")
    assert problems(empty, csv_bytes("1,1,1,1,0", header=HEADER)) == [
        "line 1: the contest has no parties or candidates yet; add them first."
    ]


def test_defining_a_contest_again_updates_names_and_adds_choices_without_removing_any(party_list, election):
    contest_define(
        election=election,
        code="party_list",
        name="Majilis party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "AMANAT"), ChoiceSpec("respublica", "Respublica")],
    )
    party_list.refresh_from_db()
    assert party_list.name == "Majilis party list"
    assert dict(party_list.choices.values_list("code", "name")) == {
        "amanat": "AMANAT",
        "auyl": "Auyl",
        "respublica": "Respublica",
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "candidates", "choices": [ChoiceSpec("x", "X", 1)]}, "already exists as party list"),
        ({"code": "Party List"}, "short slug"),
        ({"choices": [ChoiceSpec("a b", "A")]}, "short slugs"),
        ({"choices": [ChoiceSpec("a", "A"), ChoiceSpec("a", "B")]}, "given twice: a"),
        ({"choices": [ChoiceSpec("a", "A", 1)]}, "cannot belong to a district"),
        (
            {"code": "smd2", "kind": "candidates", "choices": [ChoiceSpec("c", "C", 9)]},
            "needs the number of a district",
        ),
        ({"kind": "referendum"}, "must be one of"),
        ({"name": " "}, "Give the contest a name"),
    ],
)
def test_a_contest_that_cannot_be_defined_is_refused_with_a_reason(party_list, election, fields, message):
    values = {
        "election": election,
        "code": "party_list",
        "name": "Party list",
        "kind": "party_list",
        "choices": [],
    }
    with pytest.raises(ApplicationError, match=message):
        contest_define(**{**values, **fields})


def test_the_three_loading_commands_take_a_contest_and_its_results(election, stations, tmp_path, capsys):
    call_command(
        "import_contest",
        election=election.slug,
        code="party_list",
        name="Party list",
        choices="amanat=AMANAT,auyl",
    )
    candidates = tmp_path / "smd.csv"
    candidates.write_text("code,name,district_number\nd1-a,Candidate A,1\nd2-a,Candidate C,2\n")
    call_command(
        "import_contest", election=election.slug, code="smd", name="SMD", kind="candidates", file=candidates
    )
    assert dict(Choice.objects.filter(contest__code="party_list").values_list("code", "name")) == {
        "amanat": "AMANAT",
        "auyl": "auyl",
    }
    assert Choice.objects.get(code="d2-a").district.number == 2
    results = tmp_path / "results.csv"
    results.write_bytes(csv_bytes("1,1000,600,598,8,400,190"))
    call_command("import_results", str(results), election=election.slug, contest="party_list")
    assert "1 stations' results imported for Party list (party_list)." in capsys.readouterr().out
    assert OfficialResult.objects.current().count() == 1


def test_the_commands_refuse_bad_input_with_a_clear_message(election, stations, tmp_path, party_list):
    with pytest.raises(CommandError, match=r"No contest 'nope'.*its contests: party_list"):
        call_command("import_results", str(tmp_path / "x.csv"), election=election.slug, contest="nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_results", str(tmp_path / "missing.csv"), election=election.slug, contest="party_list"
        )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("99,1,1,1,0,1,0"))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_results", str(bad), election=election.slug, contest="party_list")
    with pytest.raises(CommandError, match="No election"):
        call_command("import_contest", election="nope", code="x", name="X", choices="a")
    with pytest.raises(CommandError, match="given twice"):
        call_command("import_contest", election=election.slug, code="x", name="X", choices="a,a")
