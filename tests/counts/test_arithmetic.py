"""Each arithmetic rule of a protocol, broken and kept."""

from dataclasses import replace

import pytest

from counts.arithmetic import RULES, Protocol, protocol_failures

SOUND = Protocol(
    registered=1000,
    received=800,
    issued=600,
    cancelled=200,
    in_boxes=590,
    invalid=10,
    valid=580,
    votes={"amanat": 400, "auyl": 100, "respublica": 80},
)


def test_a_protocol_that_adds_up_breaks_no_rule():
    assert protocol_failures(SOUND) == []


def test_lost_ballots_count_in_what_was_received():
    assert protocol_failures(replace(SOUND, received=805, lost=5)) == []
    assert protocol_failures(replace(SOUND, lost=5)) == ["received_accounted"]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"received": 801}, "received_accounted"),
        ({"cancelled": 199}, "received_accounted"),
        (
            {"in_boxes": 601, "valid": 591, "votes": {"amanat": 411, "auyl": 100, "respublica": 80}},
            "boxes_within_issued",
        ),
        ({"invalid": 11}, "valid_plus_invalid"),
        ({"votes": {"amanat": 401, "auyl": 100, "respublica": 80}}, "votes_sum_to_valid"),
        ({"registered": 599}, "issued_within_registered"),
    ],
)
def test_each_rule_is_broken_on_its_own(change, rule):
    assert protocol_failures(replace(SOUND, **change)) == [rule]


def test_several_broken_rules_are_all_named_in_a_fixed_order():
    broken = replace(SOUND, registered=500, invalid=0)
    assert protocol_failures(broken) == ["valid_plus_invalid", "issued_within_registered"]
    assert list(RULES) == [
        "received_accounted",
        "boxes_within_issued",
        "valid_plus_invalid",
        "votes_sum_to_valid",
        "issued_within_registered",
    ]
