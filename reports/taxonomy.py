"""The incident taxonomy, severities and phases of an election day."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.IntegerChoices):
    S1 = 1, _("S1 procedural")
    S3 = 3, _("S3 serious")
    S5 = 5, _("S5 changes results")


class Category(models.TextChoices):
    BALLOT_STUFFING = "ballot_stuffing", _("Ballot stuffing")
    MULTIPLE_VOTING = "multiple_voting", _("Multiple voting (carousel, double voting)")
    PROTOCOL_FALSIFICATION = "protocol_falsification", _("Protocol falsification")
    COUNT_MANIPULATION = "count_manipulation", _("Count manipulation")
    COERCED_VOTING = "coerced_voting", _("Coerced voting (public employees, students)")
    TURNOUT_INFLATION = "turnout_inflation", _("Turnout inflation")
    IMPROPER_BALLOT_HANDLING = "improper_ballot_handling", _("Improper ballot handling")
    OBSERVER_OBSTRUCTION = "observer_obstruction", _("Observer kept out or obstructed")
    INTIMIDATION = "intimidation", _("Intimidation")
    SECRECY_VIOLATION = "secrecy_violation", _("Secrecy violation (group voting, photographed ballots)")
    UNSEALED_OR_UNATTENDED_BOX = "unsealed_or_unattended_box", _("Unsealed or unattended ballot box")
    VOTER_LIST_IRREGULARITY = "voter_list_irregularity", _("Voter list irregularity")
    VOTE_BUYING = "vote_buying", _("Vote buying")
    MOBILE_BOX_IRREGULARITY = "mobile_box_irregularity", _("Mobile ballot box irregularity")
    CAMPAIGNING_AT_STATION = "campaigning_at_station", _("Campaigning at the station")
    PROCEDURAL = "procedural", _("Procedural (late opening, missing materials, accessibility)")
    OTHER = "other", _("Other")


DEFAULT_SEVERITY: dict[str, int] = {
    Category.BALLOT_STUFFING: Severity.S5,
    Category.MULTIPLE_VOTING: Severity.S5,
    Category.PROTOCOL_FALSIFICATION: Severity.S5,
    Category.COUNT_MANIPULATION: Severity.S5,
    Category.COERCED_VOTING: Severity.S5,
    Category.TURNOUT_INFLATION: Severity.S5,
    Category.IMPROPER_BALLOT_HANDLING: Severity.S3,
    Category.OBSERVER_OBSTRUCTION: Severity.S3,
    Category.INTIMIDATION: Severity.S3,
    Category.SECRECY_VIOLATION: Severity.S3,
    Category.UNSEALED_OR_UNATTENDED_BOX: Severity.S3,
    Category.VOTER_LIST_IRREGULARITY: Severity.S3,
    Category.VOTE_BUYING: Severity.S3,
    Category.MOBILE_BOX_IRREGULARITY: Severity.S3,
    Category.CAMPAIGNING_AT_STATION: Severity.S1,
    Category.PROCEDURAL: Severity.S1,
    Category.OTHER: Severity.S1,
}


class Phase(models.TextChoices):
    OPENING = "opening", _("Opening")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    TABULATION = "tabulation", _("Tabulation")


class CheckInKind(models.TextChoices):
    ARRIVAL = "arrival", _("Arrived")
    OPENING = "opening", _("Opening")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    DEPARTURE = "departure", _("Left")
