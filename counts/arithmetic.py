"""The arithmetic of a station's protocol: checks an observer's copy must pass to add up.

A copy that fails them is still accepted and flagged — the commission's own protocol may be the
one that does not add up, and the photo shows what it says. The same rules run in the observer's
browser as they type (api/static/…); these are the ones the server records.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Protocol:
    registered: int
    received: int
    issued: int
    cancelled: int
    in_boxes: int
    invalid: int
    valid: int
    votes: Mapping[str, int]
    lost: int = 0


@dataclass(frozen=True)
class Rule:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


RULES = {
    "received_accounted": Rule(
        "received_accounted", _("Ballots received must equal ballots issued plus cancelled (plus lost).")
    ),
    "boxes_within_issued": Rule(
        "boxes_within_issued", _("Ballots in the boxes cannot exceed ballots issued.")
    ),
    "valid_plus_invalid": Rule(
        "valid_plus_invalid", _("Valid plus invalid ballots must equal the ballots in the boxes.")
    ),
    "votes_sum_to_valid": Rule(
        "votes_sum_to_valid", _("The votes for all choices must add up to the valid ballots.")
    ),
    "issued_within_registered": Rule(
        "issued_within_registered", _("Ballots issued cannot exceed the registered voters.")
    ),
}


def protocol_failures(protocol: Protocol) -> list[str]:
    """The codes of the rules the protocol breaks, in the order of RULES; empty when it adds up."""
    p = protocol
    broken = {
        "received_accounted": p.received != p.issued + p.cancelled + p.lost,
        "boxes_within_issued": p.in_boxes > p.issued,
        "valid_plus_invalid": p.valid + p.invalid != p.in_boxes,
        "votes_sum_to_valid": sum(p.votes.values()) != p.valid,
        "issued_within_registered": p.issued > p.registered,
    }
    return [code for code in RULES if broken[code]]
