"""Election forensics on per-station official numbers: pure numpy, no database, no Django.

`analyse_election` runs every test per district (with Benjamini-Hochberg across districts) and
nationally; the tests themselves live in `integer`, `fingerprint` and `digits`, their thresholds
in `ForensicParams`, the picture data in `pictures`. The method, its parameters and its known
failure modes are written up in docs/methodology.md, "Election forensics". A statistical anomaly
is not proof of fraud: it says where to look.
"""

from counts.forensics.analysis import NATIONAL, analyse_election, leader_index
from counts.forensics.params import DEFAULT_WEIGHTS, TESTS, ForensicParams
from counts.forensics.pictures import fingerprint_histogram, percent_distributions
from counts.forensics.results import DistrictForensics, ElectionForensics, TestResult

__all__ = [
    "DEFAULT_WEIGHTS",
    "NATIONAL",
    "TESTS",
    "DistrictForensics",
    "ElectionForensics",
    "ForensicParams",
    "TestResult",
    "analyse_election",
    "fingerprint_histogram",
    "leader_index",
    "percent_distributions",
]
