"""Answers checked against a published version's definition: the one validator of the server, and
the rules the phone runs too, from the same JSON (nothing here reads the database).

- A question is shown when it has no condition, or when the question it names is shown and its
  answer equals the condition's value (for several choices: includes it). Answers to hidden
  questions are dropped: the phone may keep them while the observer changes their mind.
- A shown required question needs an answer; a photo question is answered by its photo part.
- Each answer must fit its kind: true/false, a choice code, a list of distinct choice codes, a
  whole number within min and max, "HH:MM", a text; unknown codes are refused.
- Consistency rules never refuse: a broken one becomes a flag.
"""

import operator
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
MAX_TEXT = 2000
COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}


@dataclass
class Checked:
    answers: dict  # the answers to shown questions only
    errors: dict[str, str] = field(default_factory=dict)  # by question code
    flags: list[dict] = field(default_factory=list)  # the consistency rules broken
    photos: list[str] = field(default_factory=list)  # shown photo questions answered by a part


def questions_of(definition: dict) -> list[dict]:
    return [question for section in definition["sections"] for question in section["questions"]]


def validate(definition: dict, answers, photos: Collection[str] = ()) -> Checked:
    """`answers` as the phone sent them; `photos`: the codes of the photo parts it sent."""
    if not isinstance(answers, dict):
        return Checked({}, {"answers": _("Give the answers as an object of question code to answer.")})
    questions = questions_of(definition)
    by_code = {question["code"]: question for question in questions}
    checked = Checked({})
    for code in [*answers, *photos]:
        if code not in by_code:
            checked.errors[code] = _("This checklist has no such question.")
    shown: dict[str, bool] = {}
    for question in questions:
        code = question["code"]
        shown[code] = is_shown(question, answers, shown)
        if code in checked.errors or not shown[code]:
            continue
        if problem := _problem(question, answers.get(code), code in photos):
            checked.errors[code] = problem
        elif question["kind"] == "photo" and code in photos:
            checked.photos.append(code)
        elif code in answers and answers[code] not in (None, "", []):
            checked.answers[code] = answers[code]
    checked.flags = broken_rules(definition, checked.answers)
    return checked


def is_shown(question: dict, answers: dict, shown: dict[str, bool]) -> bool:
    condition = question["show_if"]
    if condition is None:
        return True
    earlier = condition["question"]
    if not shown.get(earlier, False):
        return False
    answer = answers.get(earlier)
    if isinstance(answer, list):
        return condition["equals"] in answer
    return _same(answer, condition["equals"])


def _same(answer, value) -> bool:
    # True == 1 in Python; an answer of one kind never equals a value of another.
    return type(answer) is type(value) and answer == value


def _problem(question: dict, answer, has_photo: bool) -> str | None:
    kind = question["kind"]
    if kind == "photo":
        if answer is not None:
            return _("Send the photo as a part named photo.%(code)s.") % {"code": question["code"]}
        if question["required"] and not has_photo:
            return _("This question needs a photo.")
        return None
    if has_photo:
        return _("This question does not take a photo.")
    if answer is None or answer == "" or answer == []:
        return _("This question needs an answer.") if question["required"] else None
    return KIND_CHECKS[kind](question, answer)


def _yes_no(question: dict, answer) -> str | None:
    return None if isinstance(answer, bool) else _("Answer true or false.")


def _choice(question: dict, answer) -> str | None:
    codes = {choice["code"] for choice in question["choices"]}
    if not isinstance(answer, str) or answer not in codes:
        return _("Choose one of the question's choices.")
    return None


def _choices(question: dict, answer) -> str | None:
    codes = {choice["code"] for choice in question["choices"]}
    if not isinstance(answer, list) or not all(isinstance(item, str) and item in codes for item in answer):
        return _("Choose from the question's choices.")
    if len(set(answer)) != len(answer):
        return _("Choose each choice at most once.")
    return None


def _number(question: dict, answer) -> str | None:
    if not isinstance(answer, int) or isinstance(answer, bool):
        return _("Answer with a whole number.")
    low, high = question["min"], question["max"]
    if low is not None and answer < low:
        return _("The answer cannot be less than %(min)d.") % {"min": low}
    if high is not None and answer > high:
        return _("The answer cannot be more than %(max)d.") % {"max": high}
    return None


def _time(question: dict, answer) -> str | None:
    if not isinstance(answer, str) or not TIME.fullmatch(answer):
        return _("Give the time as HH:MM, for example 07:45.")
    return None


def _text(question: dict, answer) -> str | None:
    if not isinstance(answer, str):
        return _("Answer with a text.")
    if len(answer) > MAX_TEXT:
        return _("The answer is longer than %(max)d characters.") % {"max": MAX_TEXT}
    if "\x00" in answer:
        # PostgreSQL cannot store it in JSON; no keyboard types it.
        return _("The answer holds a character that cannot be stored.")
    return None


KIND_CHECKS = {
    "yes_no": _yes_no,
    "choice": _choice,
    "choices": _choices,
    "number": _number,
    "time": _time,
    "text": _text,
}


def broken_rules(definition: dict, answers: dict) -> list[dict]:
    """The consistency rules that valid `answers` break; a rule with an unanswered side is not judged.
    Times "HH:MM" compare as text, which orders them as the clock does."""
    flags = []
    for index, rule in enumerate(definition.get("rules", [])):
        left = answers.get(rule["left"])
        right = answers.get(rule["right"]) if rule["right"] else rule["value"]
        if left is None or right is None:
            continue
        if not COMPARE[rule["operator"]](left, right):
            flags.append({"rule": index, "left": left, "right": right, "message": rule["message"]})
    return flags


def critical_answers(definition: dict, answers: dict) -> list[tuple[dict, object]]:
    """(question, answer) for each answer (of a shown question) that the definition marks critical."""
    found = []
    for question in questions_of(definition):
        answer = answers.get(question["code"])
        if answer is None or not question["critical"]:
            continue
        given = answer if isinstance(answer, list) else [answer]
        if any(_same(item, value) for item in given for value in question["critical"]):
            found.append((question, answer))
    return found
