from core.review import ReportStatus
from reports.models.exports import ExportJob
from reports.models.observations import (
    CheckIn,
    EventAction,
    Evidence,
    IncidentReport,
    ReportEvent,
    ReportPhoto,
)

__all__ = [
    "CheckIn",
    "EventAction",
    "Evidence",
    "ExportJob",
    "IncidentReport",
    "ReportEvent",
    "ReportPhoto",
    "ReportStatus",
]
