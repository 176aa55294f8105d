from counts.models.contests import Choice, Contest, ContestKind
from counts.models.observed import ProtocolCopy, TurnoutCount, TurnoutMethod
from counts.models.results import OfficialResult, ResultBatch

__all__ = [
    "Choice",
    "Contest",
    "ContestKind",
    "OfficialResult",
    "ProtocolCopy",
    "ResultBatch",
    "TurnoutCount",
    "TurnoutMethod",
]
