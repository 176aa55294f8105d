"""Complaints as partners read them: counts per district over every organization's filed
complaints, and the texts of filed complaints of organizations that share, without the identity of
any observer behind them.

A complaint's text names its complainant, and a reviewer may have edited it by hand, so leaving a
field out is not enough here: every name, username, e-mail address and phone number of the
complainant and of the observers of the complaint's reports is taken out of the text and the
commission's answer wherever it appears. The organization's representative, who signs when no
observer consented, stays: they sign in public for the organization, as the commission's own
records show, and are not an observer in the field.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from complaints.models import Complaint
from complaints.selectors import FILED_STATUSES, count_aggregates, filed_complaints
from people.models import Membership
from stations.models import District, Election

WITHHELD = "[…]"
# The complaint columns a partner response is built from, and what the redaction needs.
COMPLAINT_COLUMNS = (
    "id",
    "election__slug",
    "station__number",
    "district__number",
    "addressee_kind",
    "addressee_name",
    "language",
    "filed_at",
    "deadline_at",
    "status",
    "outcome",
    "answer_at",
    "appeal_of",
    "text",
    "answer_text",
    "complainant",
    "complainant_name",
)
# A phone number is found by its digits, whatever the spaces, dashes or brackets between them.
PHONE_SEPARATORS = r"[\s\-().]*"
LOCAL_PHONE_DIGITS = 10


def complaint_counts_by_district(election: Election) -> QuerySet[District]:
    """Every district of the election with its filed complaints counted by status and outcome, over
    all organizations (a count identifies nobody): one query, grouped by district."""
    return (
        District.objects.filter(election=election)
        .annotate(**count_aggregates("complaints"))
        .only("id", "number", "name")
    )


def district_counts_data(district: District) -> dict:
    return {
        "number": district.number,
        "name": district.name,
        "filed": district.filed,
        "overdue": district.overdue,
        "status": {status: getattr(district, f"status_{status}") for status in FILED_STATUSES},
        "outcome": {
            "upheld": district.outcome_upheld,
            "rejected": district.outcome_rejected,
            "no_answer": district.outcome_no_answer,
            "none": district.no_outcome,
        },
    }


def shared_complaints(election: Election) -> QuerySet[Complaint]:
    """Filed complaints of the organizations that share with partners, with only the columns used."""
    return (
        filed_complaints()
        .filter(election=election, organization__share_with_partners=True)
        .select_related("election", "station", "district")
        .only(*COMPLAINT_COLUMNS)
    )


def _phone_pattern(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 5:
        return []
    variants = {digits, digits[-LOCAL_PHONE_DIGITS:]}
    return [r"(?<!\d)\+?" + PHONE_SEPARATORS.join(variant) + r"(?!\d)" for variant in variants]


def _word_pattern(value: str) -> list[str]:
    value = " ".join(value.split())
    if len(value) < 2:
        return []
    return [r"(?<!\w)" + r"\s+".join(re.escape(part) for part in value.split(" ")) + r"(?!\w)"]


def identity_pattern(names: Iterable[str], phones: Iterable[str]) -> re.Pattern | None:
    """One pattern for every way these people may be written: the longest first, so that a full
    name goes as a whole before its parts."""
    patterns = {p for name in names for p in _word_pattern(name)} | {
        p for phone in phones for p in _phone_pattern(phone)
    }
    if not patterns:
        return None
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)


def withhold(text: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(WITHHELD, text) if pattern and text else text


def _people_of(complaints: list[Complaint]) -> dict[int, set[int]]:
    """The complainant and the observers of the reports of each complaint, by complaint id."""
    people = defaultdict(set)
    for complaint in complaints:
        if complaint.complainant_id:
            people[complaint.pk].add(complaint.complainant_id)
    through = Complaint.reports.through.objects.filter(complaint_id__in=[c.pk for c in complaints])
    for complaint_id, observer_id in through.values_list("complaint_id", "incidentreport__observer_id"):
        people[complaint_id].add(observer_id)
    return people


def identity_patterns(complaints: list[Complaint]) -> dict[int, re.Pattern | None]:
    """For each complaint, the pattern of its people's identities: three queries a page."""
    people = _people_of(complaints)
    everyone = set().union(*people.values()) if people else set()
    names, phones = defaultdict(set), defaultdict(set)
    users = get_user_model().objects.filter(pk__in=everyone)
    for pk, username, first, last, email in users.values_list(
        "pk", "username", "first_name", "last_name", "email"
    ):
        names[pk] |= {username, first, last, f"{first} {last}", f"{last} {first}", email}
    for user_id, phone in (
        Membership.objects.filter(user_id__in=everyone).exclude(phone="").values_list("user_id", "phone")
    ):
        phones[user_id].add(phone)
    patterns = {}
    for complaint in complaints:
        who = people.get(complaint.pk, set())
        signed = {complaint.complainant_name} if complaint.complainant_id else set()
        patterns[complaint.pk] = identity_pattern(
            signed.union(*(names[pk] for pk in who)), set().union(*(phones[pk] for pk in who))
        )
    return patterns


def shared_complaint_data(complaints: list[Complaint]) -> list[dict]:
    """The complaints as partners read them, their text and answer without anyone's identity."""
    patterns = identity_patterns(complaints)
    return [
        {
            "id": complaint.pk,
            "election": complaint.election.slug,
            "station": complaint.station.number if complaint.station_id else None,
            "district": complaint.district.number,
            "addressee_kind": complaint.addressee_kind,
            "addressee": complaint.addressee_name,
            "language": complaint.language,
            "signed_by": "observer" if complaint.complainant_id else "representative",
            "filed_at": complaint.filed_at,
            "deadline_at": complaint.deadline_at,
            "status": complaint.status,
            "outcome": complaint.outcome or None,
            "answer_at": complaint.answer_at,
            "appeal_of": complaint.appeal_of_id,
            "text": withhold(complaint.text, patterns[complaint.pk]),
            "answer_text": withhold(complaint.answer_text, patterns[complaint.pk]),
        }
        for complaint in complaints
    ]
