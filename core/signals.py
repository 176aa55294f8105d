"""The one signal that crosses from the evidence to the scores, defined below both.

- `evidence_changed(sender=<model class>, election_id=int)`: something the integrity scores are
  made of changed and is committed (a review, a results import, a forensics run). Sent by reports/
  and counts/, which do not know who scores the evidence; integrity/ listens and schedules one
  coalesced recompute.
"""

from django.dispatch import Signal

evidence_changed = Signal()
