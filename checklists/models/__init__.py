from checklists.models.answers import CriticalAnswer, Submission, SubmissionPhoto
from checklists.models.definitions import (
    REPORT_PHASE,
    Checklist,
    ChecklistPhase,
    ChecklistVersion,
    Choice,
    ConsistencyRule,
    Kind,
    Operator,
    Question,
    Section,
)

__all__ = [
    "REPORT_PHASE",
    "Checklist",
    "ChecklistPhase",
    "ChecklistVersion",
    "Choice",
    "ConsistencyRule",
    "CriticalAnswer",
    "Kind",
    "Operator",
    "Question",
    "Section",
    "Submission",
    "SubmissionPhoto",
]
