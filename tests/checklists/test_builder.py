"""The builder's rules (checked by a question's or rule's clean() and again, over the whole draft,
by publishing), versions frozen at publication, and cloning into another election."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from checklists.builder import Draft
from checklists.models import Checklist, ChecklistVersion, Choice, ConsistencyRule, Question
from checklists.services import checklist_clone, checklist_publish
from core.errors import ApplicationError
from stations.models import Election

pytestmark = pytest.mark.django_db


def errors_of(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    return raised.value.message_dict


def new_question(checklist, **fields) -> Question:
    if "section" not in fields:
        fields["section"] = checklist.sections.get(order=2)
    fields.setdefault("order", 9)
    fields.setdefault("code", "extra")
    fields.setdefault("kind", "number")
    return Question(checklist=checklist, label_en="Extra", **fields)


def test_the_example_checklist_breaks_no_rule(checklist):
    assert Draft.read(checklist).problems() == []
    for question in checklist.questions.all():
        question.full_clean()


def test_codes_are_unique_within_a_checklist(checklist):
    assert "code" in errors_of(new_question(checklist, code="registered"))
    with pytest.raises(IntegrityError):
        new_question(checklist, code="registered").save()


def test_the_same_code_may_serve_in_another_checklist(checklist, election, organization):
    other = Checklist.objects.create(
        organization=organization, election=election, code="closing", phase="closing", name_en="Closing"
    )
    section = other.sections.create(order=1, title_en="All")
    new_question(other, section=section, code="registered").full_clean()


def test_a_condition_must_name_an_earlier_question(checklist):
    later = new_question(
        checklist,
        section=checklist.sections.get(order=1),
        order=0,
        show_if_question="box_sealed",
        show_if_equals="true",
    )
    assert errors_of(later)["show_if_question"] == [
        "The condition must name an earlier question of this checklist."
    ]
    unknown = new_question(checklist, show_if_question="nothing", show_if_equals="true")
    assert "show_if_question" in errors_of(unknown)
    new_question(checklist, show_if_question="box_sealed", show_if_equals="true").full_clean()


@pytest.mark.parametrize(
    ("earlier", "equals", "message"),
    [
        ("box_sealed", "yes", "Write true or false."),
        ("admitted", "everyone", "everyone is not one of the question's choices."),
        ("problems", "rain", "rain is not one of the question's choices."),
        ("registered", "many", "Write a whole number."),
        ("registered", "6000", "6000 is outside the question's range."),
        ("opened_at", "08:00", "Only yes/no, choice and number questions can be compared with a value."),
    ],
)
def test_a_condition_must_name_a_value_the_earlier_question_can_take(checklist, earlier, equals, message):
    question = new_question(checklist, show_if_question=earlier, show_if_equals=equals)
    assert errors_of(question)["show_if_equals"] == [message]


def test_a_condition_needs_both_its_question_and_its_value(checklist):
    assert "show_if_equals" in errors_of(new_question(checklist, show_if_question="box_sealed"))


def test_the_minimum_may_not_exceed_the_maximum(checklist):
    assert errors_of(new_question(checklist, min_value=10, max_value=5))["max_value"] == [
        "The maximum is below the minimum."
    ]
    with pytest.raises(IntegrityError):
        new_question(checklist, min_value=10, max_value=5).save()


def test_only_number_questions_have_a_range(checklist):
    assert "min_value" in errors_of(new_question(checklist, kind="text", min_value=1))


def test_only_choice_questions_have_choices(checklist):
    registered = checklist.questions.get(code="registered")
    choice = Choice(question=registered, code="a", label_en="A")
    assert "code" in errors_of(choice)
    Choice.objects.create(question=registered, code="a", label_en="A")
    assert "kind" in errors_of(registered)
    assert "registered: Only choice questions have choices." in Draft.read(checklist).problems()


def test_a_choice_question_without_choices_cannot_be_published(checklist):
    Choice.objects.filter(question__code="admitted").delete()
    problems = Draft.read(checklist).problems()
    assert "admitted: A choice question needs its choices." in problems


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("yes_no", "no", "Write true or false."),
        ("number", "ten", "Write a whole number."),
        ("text", "bad", "Only yes/no, choice and number questions have critical answers."),
        ("time", "09:00", "Only yes/no, choice and number questions have critical answers."),
        ("photo", "true", "Only yes/no, choice and number questions have critical answers."),
    ],
)
def test_critical_answers_must_be_valid_for_the_kind(checklist, kind, values, message):
    question = new_question(
        checklist, kind=kind, critical_values=values, critical_severity=1, critical_category="procedural"
    )
    assert errors_of(question)["critical_values"] == [message]


def test_critical_choice_codes_are_checked_against_the_choices_when_publishing(checklist):
    checklist.questions.filter(code="admitted").update(critical_values="nobody,everyone")
    assert "admitted: everyone is not one of the question's choices." in Draft.read(checklist).problems()
    with pytest.raises(ApplicationError, match="everyone is not one of"):
        checklist_publish(checklist=checklist, by=None)
    assert not ChecklistVersion.objects.exists()


def test_critical_answers_need_both_a_severity_and_a_category(checklist):
    missing = new_question(checklist, kind="yes_no", critical_values="false", critical_severity=3)
    assert errors_of(missing)["critical_severity"] == [
        "A critical answer needs both a severity and a category."
    ]
    orphan = new_question(checklist, kind="yes_no", critical_category="procedural")
    assert "critical_values" in errors_of(orphan)


def test_consistency_rules_compare_number_or_time_questions(checklist):
    def rule(**fields):
        return ConsistencyRule(checklist=checklist, operator="<=", message_en="m", **fields)

    assert "left" in errors_of(rule(left="box_sealed", right="registered"))
    assert "left" in errors_of(rule(left="nothing", right="registered"))
    assert "right" in errors_of(rule(left="voted", right="opened_at"))
    assert "right" in errors_of(rule(left="voted", right="registered", constant="3"))
    assert "right" in errors_of(rule(left="voted"))
    assert "constant" in errors_of(rule(left="voted", constant="many"))
    assert "constant" in errors_of(rule(left="opened_at", constant="8 o'clock"))
    rule(left="voted", right="registered").full_clean()
    rule(left="opened_at", constant="08:00").full_clean()
    ConsistencyRule.objects.create(
        checklist=checklist, left="voted", operator="<", right="box_photo", message_en="m"
    )
    assert any(problem.startswith("voted < box_photo") for problem in Draft.read(checklist).problems())


def test_publishing_freezes_the_definition_in_the_api_shape(version, superuser):
    definition = version.definition
    assert (version.number, version.published_by) == (1, superuser)
    assert (definition["code"], definition["version"], definition["phase"]) == ("opening", 1, "opening")
    assert definition["name"] == {"kk": "Ашылу", "ru": "Открытие", "en": "Opening"}
    assert [section["title"]["en"] for section in definition["sections"]] == ["Before voting", "Numbers"]
    first, second = definition["sections"]
    assert [q["code"] for q in first["questions"]] == [
        "box_sealed", "box_photo", "opened_at", "problems", "admitted", "missing",
    ]  # fmt: skip
    assert first["questions"][0] == {
        "code": "box_sealed",
        "kind": "yes_no",
        "label": {"kk": "", "ru": "Урна опечатана?", "en": "Was the box sealed?"},
        "required": True,
        "choices": [],
        "min": None,
        "max": None,
        "show_if": None,
        "critical": [False],
        "severity": 3,
        "category": "unsealed_or_unattended_box",
    }
    assert first["questions"][5]["show_if"] == {"question": "problems", "equals": "materials"}
    assert [c["code"] for c in first["questions"][4]["choices"]] == ["all", "some", "nobody"]
    assert (second["questions"][0]["min"], second["questions"][0]["max"]) == (0, 5000)
    assert definition["rules"][1] == {
        "left": "opened_at",
        "operator": "<=",
        "right": None,
        "value": "08:00",
        "message": {"kk": "", "ru": "", "en": "Opened late."},
    }


def test_editing_after_publishing_changes_only_the_draft_and_the_next_version(checklist, version, superuser):
    frozen = dict(version.definition)
    checklist.questions.filter(code="registered").update(max_value=3000, label_en="Registered voters")
    version.refresh_from_db()
    assert version.definition == frozen
    second = checklist_publish(checklist=checklist, by=superuser)
    assert second.number == 2
    assert second.definition["sections"][1]["questions"][0]["max"] == 3000
    assert ChecklistVersion.objects.get(pk=version.pk).definition == frozen


def test_a_version_never_changes(version):
    version.definition = {"code": "forged"}
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        ChecklistVersion.objects.filter(pk=version.pk).update(definition={})
    with pytest.raises(TypeError):
        version.delete()


def test_publishing_an_unchanged_draft_again_is_refused(checklist, version):
    with pytest.raises(ApplicationError, match="Nothing changed since version 1"):
        checklist_publish(checklist=checklist, by=None)


def test_a_checklist_is_cloned_into_another_election_without_its_versions(checklist, version, organization):
    later = Election.objects.create(slug="next-2027", name="Next", date="2027-03-19")
    copy = checklist_clone(checklist=checklist, election=later)
    assert (copy.election, copy.organization, copy.code, copy.name_ru) == (
        later,
        organization,
        "opening",
        "Открытие",
    )
    assert copy.versions.count() == 0
    assert Draft.read(copy).definition(1) == {**Draft.read(checklist).definition(1)}
    assert set(copy.questions.values_list("section__checklist", flat=True)) == {copy.pk}
    assert Choice.objects.filter(question__checklist=copy).count() == 6
    with pytest.raises(ApplicationError, match="already has a checklist opening"):
        checklist_clone(checklist=checklist, election=later)
