"""The signals that cross from one app to another above it, defined below them all.

- `evidence_changed(sender=<model class>, election_id=int, arrived=bool)`: something the integrity
  scores are made of changed (a review, a results import, a forensics run) or, with `arrived=True`,
  new evidence came in from the field (a check-in, a report, a turnout count, a protocol copy, a
  checklist). Sent by reports/, counts/ and checklists/, which do not know who scores the evidence;
  integrity/ listens and schedules one coalesced recompute once the change is committed: soon after
  a review, within BAQYLAU_SCORE_INTAKE_SECONDS of an arrival, so that a steady stream of arrivals
  costs one recompute a window.
- `observers_forgotten(sender=<model class>, organization_id=int, user_ids=list[int],
  replacements=dict[str, str])`: after a mission, roster/ forgot these observers of the
  organization. An app that keeps their names in free text of its own (complaints/) replaces each
  key of `replacements` (names, e-mail addresses, phone numbers, usernames) by its value, in the
  same transaction.
"""

from django.dispatch import Signal

evidence_changed = Signal()
observers_forgotten = Signal()
