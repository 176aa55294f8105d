"""What other parts of Baqylau may listen to; each is sent once the change is committed.

- `district_bands_changed(sender=ScoreRun, election_id=int, run_id=int, changes=[BandChange, …])`: a
  published recompute moved districts to another band (or band range), or gave a first score.
"""

from dataclasses import dataclass

from django.dispatch import Signal

district_bands_changed = Signal()


@dataclass(frozen=True)
class BandChange:
    """A district's band before and after a recompute: "A".."D", "A-B" for a range, "" for none."""

    district_id: int
    before: str
    after: str
