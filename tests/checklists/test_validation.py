"""One validator for the server (and, from the same JSON, the phone): kinds, conditions, required
answers, ranges, unknown codes, and consistency rules that flag without refusing."""

import pytest

from checklists.validation import critical_answers, validate
from tests.checklists.conftest import ALL_FINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def definition(version):
    return version.definition


def check(definition, photos=(), **changes):
    return validate(definition, {**ALL_FINE, **changes}, photos)


def test_all_fine_answers_pass_with_no_flags(definition):
    checked = check(definition)
    assert checked.errors == {}
    assert checked.flags == []
    # An empty list of choices is no answer at all.
    assert checked.answers == {key: value for key, value in ALL_FINE.items() if key != "problems"}


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("box_sealed", "yes", "Answer true or false."),
        ("box_sealed", 1, "Answer true or false."),
        ("admitted", "everyone", "Choose one of the question's choices."),
        ("admitted", ["all"], "Choose one of the question's choices."),
        ("problems", "late", "Choose from the question's choices."),
        ("problems", ["late", "rain"], "Choose from the question's choices."),
        ("problems", ["late", "late"], "Choose each choice at most once."),
        ("registered", "1200", "Answer with a whole number."),
        ("registered", 12.5, "Answer with a whole number."),
        ("registered", True, "Answer with a whole number."),
        ("registered", -1, "The answer cannot be less than 0."),
        ("registered", 5001, "The answer cannot be more than 5000."),
        ("opened_at", "7:58", "Give the time as HH:MM, for example 07:45."),
        ("opened_at", "24:00", "Give the time as HH:MM, for example 07:45."),
        ("opened_at", 758, "Give the time as HH:MM, for example 07:45."),
        ("box_photo", "photo.jpg", "Send the photo as a part named photo.box_photo."),
    ],
)
def test_each_kind_refuses_an_answer_of_the_wrong_shape(definition, code, value, message):
    assert check(definition, **{code: value}).errors == {code: message}


def test_the_range_bounds_themselves_are_accepted(definition):
    assert check(definition, registered=0).errors == {}
    assert check(definition, registered=5000).errors == {}


def test_a_text_answer_is_limited_in_length(definition):
    checked = check(definition, problems=["materials"], missing="x" * 2001)
    assert checked.errors == {"missing": "The answer is longer than 2000 characters."}


def test_unknown_codes_are_refused_in_answers_and_in_photos(definition):
    checked = check(definition, photos=["nowhere"], ballots=3)
    assert checked.errors == {
        "ballots": "This checklist has no such question.",
        "nowhere": "This checklist has no such question.",
    }


def test_a_photo_part_for_a_question_that_is_not_a_photo_is_refused(definition):
    assert check(definition, photos=["registered"]).errors == {
        "registered": "This question does not take a photo."
    }


@pytest.mark.parametrize("code", ["box_sealed", "opened_at", "registered"])
def test_a_shown_required_question_needs_an_answer(definition, code):
    answers = {key: value for key, value in ALL_FINE.items() if key != code}
    assert validate(definition, answers).errors == {code: "This question needs an answer."}


def test_a_required_question_hidden_by_its_condition_needs_no_answer(definition):
    assert check(definition, problems=["late"]).errors == {}


def test_a_required_question_shown_by_its_condition_needs_an_answer(definition):
    checked = check(definition, problems=["late", "materials"])
    assert checked.errors == {"missing": "This question needs an answer."}
    assert check(definition, problems=["materials"], missing="No ink").errors == {}


def test_an_answer_to_a_hidden_question_is_dropped_not_stored(definition):
    checked = check(definition, problems=["late"], missing="left over from an earlier answer")
    assert checked.errors == {}
    assert "missing" not in checked.answers


def test_a_required_photo_is_answered_by_its_part_only(version, checklist, superuser):
    from checklists.services import checklist_publish

    checklist.questions.filter(code="box_photo").update(required=True)
    definition = checklist_publish(checklist=checklist, by=superuser).definition
    assert check(definition).errors == {"box_photo": "This question needs a photo."}
    checked = check(definition, photos=["box_photo"])
    assert (checked.errors, checked.photos) == ({}, ["box_photo"])


def test_consistency_rules_flag_without_refusing(definition):
    checked = check(definition, voted=1300, opened_at="08:15")
    assert checked.errors == {}
    assert checked.answers["voted"] == 1300
    assert checked.flags == [
        {
            "rule": 0,
            "left": 1300,
            "right": 1200,
            "message": {"kk": "", "ru": "", "en": "More voted than registered."},
        },
        {"rule": 1, "left": "08:15", "right": "08:00", "message": {"kk": "", "ru": "", "en": "Opened late."}},
    ]


def test_a_rule_with_an_unanswered_side_is_not_judged(definition):
    answers = {key: value for key, value in ALL_FINE.items() if key != "voted"}
    assert validate(definition, answers).flags == []


def test_answers_that_are_not_an_object_are_refused(definition):
    assert validate(definition, ["box_sealed"]).errors == {
        "answers": "Give the answers as an object of question code to answer."
    }


def test_critical_answers_are_found_by_value_and_kind(definition):
    assert critical_answers(definition, check(definition).answers) == []
    found = critical_answers(definition, check(definition, box_sealed=False, admitted="nobody").answers)
    assert [(question["code"], value) for question, value in found] == [
        ("box_sealed", False),
        ("admitted", "nobody"),
    ]
    # 0 is not false: only an answer of the question's own kind can be critical.
    assert critical_answers(definition, {"box_sealed": 0}) == []
