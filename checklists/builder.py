"""The builder's rules, and the definition a published version freezes.

Each rule is written once and serves two callers: a model's clean() in the admin, which reads the
rest of the checklist from the database, and publishing, which checks the whole draft (read once)
again before freezing it, so that a draft edited in several steps cannot publish a broken form.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from checklists.models import Checklist, Choice, ConsistencyRule, Kind, Question, Section
from checklists.validation import TIME

LANGUAGES = ("kk", "ru", "en")
CHOICE_KINDS = (Kind.CHOICE, Kind.CHOICES)
# Kinds whose answers can be compared with a value: a condition or a critical answer.
VALUED_KINDS = (Kind.YES_NO, Kind.CHOICE, Kind.CHOICES, Kind.NUMBER)
COMPARABLE_KINDS = (Kind.NUMBER, Kind.TIME)


@dataclass
class Errors:
    """Messages by form field, raised as one ValidationError."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)

    def messages(self, prefix: str) -> list[str]:
        return [f"{prefix}: {message}" for messages in self.by_field.values() for message in messages]


def _position(question: Question, sections: dict[int, Section]) -> tuple:
    section = sections.get(question.section_id) or question.section
    unsaved = float("inf")
    return (section.order, section.pk or unsaved, question.order, question.pk or unsaved)


def _choice_codes(question: Question, choices: dict[int, list[str]] | None) -> list[str]:
    if choices is not None:
        return choices.get(question.pk, [])
    return list(question.choices.values_list("code", flat=True)) if question.pk else []


def value_problem(question: Question, value: str, choice_codes: list[str]) -> str | None:
    """Why `value` (as the admin writes it) is not an answer `question` can take, or None."""
    if question.kind == Kind.YES_NO:
        return None if value in ("true", "false") else _("Write true or false.")
    if question.kind in CHOICE_KINDS:
        if value in choice_codes:
            return None
        return _("%(value)s is not one of the question's choices.") % {"value": value}
    if question.kind == Kind.NUMBER:
        try:
            number = int(value)
        except ValueError:
            return _("Write a whole number.")
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            return _("%(value)s is outside the question's range.") % {"value": value}
        return None
    return _("Only yes/no, choice and number questions can be compared with a value.")


def question_errors(
    question: Question,
    *,
    siblings: list[Question] | None = None,
    sections: dict[int, Section] | None = None,
    choices: dict[int, list[str]] | None = None,
) -> Errors:
    """Everything wrong with one question; the other questions, sections and choices of its
    checklist are read from the database unless given."""
    errors = Errors()
    if siblings is None:
        siblings = list(Question.objects.filter(checklist_id=question.checklist_id).exclude(pk=question.pk))
    if sections is None:
        sections = {s.pk: s for s in Section.objects.filter(checklist_id=question.checklist_id)}
    codes = _choice_codes(question, choices)
    if question.section_id and question.section_id not in sections:
        errors.add("section", _("The section belongs to another checklist."))
    if any(other.code == question.code and other.pk != question.pk for other in siblings):
        errors.add("code", _("Another question of this checklist has this code."))
    _range_errors(question, errors)
    if codes and question.kind not in CHOICE_KINDS:
        errors.add("kind", _("Only choice questions have choices."))
    if question.pk and question.kind in CHOICE_KINDS and not codes and choices is not None:
        errors.add("kind", _("A choice question needs its choices."))
    _show_if_errors(question, siblings, sections, choices, errors)
    _critical_errors(question, codes, choices is not None, errors)
    return errors


def _range_errors(question: Question, errors: Errors) -> None:
    low, high = question.min_value, question.max_value
    if question.kind != Kind.NUMBER and (low is not None or high is not None):
        errors.add("min_value", _("Only number questions have a minimum and a maximum."))
    if low is not None and high is not None and low > high:
        errors.add("max_value", _("The maximum is below the minimum."))


def _show_if_errors(question, siblings, sections, choices, errors: Errors) -> None:
    code, equals = question.show_if_question, question.show_if_equals
    if not code and not equals:
        return
    if not code or not equals:
        errors.add("show_if_equals", _("Give both the earlier question and its answer, or neither."))
        return
    earlier = next((other for other in siblings if other.code == code and other.pk != question.pk), None)
    if earlier is None or _position(earlier, sections) >= _position(question, sections):
        errors.add("show_if_question", _("The condition must name an earlier question of this checklist."))
        return
    if problem := value_problem(earlier, equals, _choice_codes(earlier, choices)):
        errors.add("show_if_equals", problem)


def _critical_errors(question: Question, codes: list[str], checked_choices: bool, errors: Errors) -> None:
    """`checked_choices`: the choices are final. In the admin a question's choices are saved after
    the question itself, so its critical choice codes wait for publishing to be checked."""
    values = question.critical_list
    if values and question.kind not in VALUED_KINDS:
        errors.add("critical_values", _("Only yes/no, choice and number questions have critical answers."))
    elif question.kind not in CHOICE_KINDS or checked_choices:
        for value in values:
            if problem := value_problem(question, value, codes):
                errors.add("critical_values", problem)
    has_severity = question.critical_severity is not None
    has_category = bool(question.critical_category)
    if values and not (has_severity and has_category):
        errors.add("critical_severity", _("A critical answer needs both a severity and a category."))
    if not values and (has_severity or has_category):
        errors.add("critical_values", _("A severity and a category need critical answers."))


def choice_errors(choice: Choice) -> Errors:
    errors = Errors()
    question = choice.question if choice.question_id else None
    if question is not None and question.kind not in CHOICE_KINDS:
        errors.add("code", _("Only choice questions have choices."))
    return errors


def rule_errors(rule: ConsistencyRule, *, questions: dict[str, Question] | None = None) -> Errors:
    """A rule compares a number or time question with another of the same kind, or with a value."""
    errors = Errors()
    if questions is None:
        questions = {q.code: q for q in Question.objects.filter(checklist_id=rule.checklist_id)}
    left = questions.get(rule.left)
    if left is None or left.kind not in COMPARABLE_KINDS:
        errors.add("left", _("Name a number or time question of this checklist."))
        return errors
    if bool(rule.right) == bool(rule.constant):
        errors.add("right", _("Compare with another question or with a value, not both."))
        return errors
    if rule.right:
        right = questions.get(rule.right)
        if right is None or right.kind != left.kind:
            errors.add("right", _("Name a question of the same kind (number or time)."))
    elif left.kind == Kind.NUMBER and not _is_int(rule.constant):
        errors.add("constant", _("Write a whole number."))
    elif left.kind == Kind.TIME and not TIME.fullmatch(rule.constant):
        errors.add("constant", _("Write a time as HH:MM."))
    return errors


def _is_int(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


@dataclass
class Draft:
    """A checklist's draft read in a few queries, in order."""

    checklist: Checklist
    sections: list[Section]
    questions: list[Question]
    choices: dict[int, list[Choice]]
    rules: list[ConsistencyRule]

    @classmethod
    def read(cls, checklist: Checklist) -> "Draft":
        sections = list(checklist.sections.order_by("order", "pk"))
        questions = list(
            checklist.questions.select_related("section").order_by(
                "section__order", "section_id", "order", "pk"
            )
        )
        choices: dict[int, list[Choice]] = {}
        for choice in Choice.objects.filter(question__checklist=checklist).order_by("order", "pk"):
            choices.setdefault(choice.question_id, []).append(choice)
        return cls(checklist, sections, questions, choices, list(checklist.rules.order_by("order", "pk")))

    def problems(self) -> list[str]:
        """Everything that keeps this draft from being published, as messages naming the code."""
        sections = {section.pk: section for section in self.sections}
        codes = {pk: [choice.code for choice in items] for pk, items in self.choices.items()}
        problems = []
        if not self.questions:
            problems.append(_("The checklist has no questions."))
        for question in self.questions:
            found = question_errors(question, siblings=self.questions, sections=sections, choices=codes)
            problems += found.messages(question.code)
        by_code = {question.code: question for question in self.questions}
        for rule in self.rules:
            problems += rule_errors(rule, questions=by_code).messages(str(rule))
        return problems

    def definition(self, number: int) -> dict:
        """The definition the phone renders and the server validates against (the API's shape, with
        every text in the three languages)."""
        checklist = self.checklist
        return {
            "code": checklist.code,
            "version": number,
            "name": _texts(checklist, "name"),
            "phase": checklist.phase,
            "sections": [
                {
                    "title": _texts(section, "title"),
                    "questions": [self._question(q) for q in self.questions if q.section_id == section.pk],
                }
                for section in self.sections
            ],
            "rules": [_rule(rule, self.questions) for rule in self.rules],
        }

    def _question(self, question: Question) -> dict:
        by_code = {q.code: q for q in self.questions}
        show_if = None
        if question.show_if_question:
            earlier = by_code[question.show_if_question]
            show_if = {"question": earlier.code, "equals": typed(earlier, question.show_if_equals)}
        return {
            "code": question.code,
            "kind": question.kind,
            "label": _texts(question, "label"),
            "required": question.required,
            "choices": [
                {"code": choice.code, "label": _texts(choice, "label")}
                for choice in self.choices.get(question.pk, [])
            ],
            "min": question.min_value,
            "max": question.max_value,
            "show_if": show_if,
            "critical": [typed(question, value) for value in question.critical_list],
            "severity": question.critical_severity,
            "category": question.critical_category or None,
        }


def typed(question: Question, value: str):
    """A value as the admin writes it, as the phone sends it: true/false, a whole number, a code."""
    if question.kind == Kind.YES_NO:
        return value == "true"
    if question.kind == Kind.NUMBER:
        return int(value)
    return value


def _texts(row, name: str) -> dict[str, str]:
    return {language: getattr(row, f"{name}_{language}") for language in LANGUAGES}


def _rule(rule: ConsistencyRule, questions: list[Question]) -> dict:
    value = None
    if rule.constant:
        left = next(q for q in questions if q.code == rule.left)
        value = int(rule.constant) if left.kind == Kind.NUMBER else rule.constant
    return {
        "left": rule.left,
        "operator": rule.operator,
        "right": rule.right or None,
        "value": value,
        "message": _texts(rule, "message"),
    }
