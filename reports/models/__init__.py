from reports.models.exports import ExportJob
from reports.models.observations import (
    CheckIn,
    EventAction,
    Evidence,
    IncidentReport,
    ReportEvent,
    ReportPhoto,
    ReportStatus,
)
from reports.models.organizations import Assignment, Membership, Organization, Role
from reports.models.scores import (
    DistrictScore,
    DistrictScoreHistory,
    ScoreRun,
    ScoreRunStatus,
    StationIndicator,
)
from reports.models.tokens import ObserverToken

__all__ = [
    "Assignment",
    "CheckIn",
    "DistrictScore",
    "DistrictScoreHistory",
    "EventAction",
    "Evidence",
    "ExportJob",
    "IncidentReport",
    "Membership",
    "ObserverToken",
    "Organization",
    "ReportEvent",
    "ReportPhoto",
    "ReportStatus",
    "Role",
    "ScoreRun",
    "ScoreRunStatus",
    "StationIndicator",
]
