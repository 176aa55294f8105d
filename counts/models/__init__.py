from counts.models.contests import Choice, Contest, ContestKind
from counts.models.forensics import ForensicRun
from counts.models.observed import ProtocolAction, ProtocolCopy, ProtocolEvent, TurnoutCount, TurnoutMethod
from counts.models.results import OfficialResult, ResultBatch

__all__ = [
    "Choice",
    "Contest",
    "ContestKind",
    "ForensicRun",
    "OfficialResult",
    "ProtocolAction",
    "ProtocolCopy",
    "ProtocolEvent",
    "ResultBatch",
    "TurnoutCount",
    "TurnoutMethod",
]
