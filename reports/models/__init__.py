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
from reports.models.tokens import ObserverToken

__all__ = [
    "Assignment",
    "CheckIn",
    "EventAction",
    "Evidence",
    "IncidentReport",
    "Membership",
    "ObserverToken",
    "Organization",
    "ReportEvent",
    "ReportPhoto",
    "ReportStatus",
    "Role",
]
