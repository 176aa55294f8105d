from checklists.models.answers import CriticalAnswer, Source, Submission, SubmissionPhoto
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
from checklists.models.paper import PaperEntry, PaperReturn, ReturnState

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
    "PaperEntry",
    "PaperReturn",
    "Question",
    "ReturnState",
    "Section",
    "Source",
    "Submission",
    "SubmissionPhoto",
]
