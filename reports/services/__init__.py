"""The only writers of observers' data and of its review. Views, admin, API and tasks call these."""

from reports.services.review import (
    report_answer,
    report_ask,
    report_claim,
    report_redact,
    report_reject,
    report_release,
    report_reopen,
    report_set_severity,
    report_verify,
)
from reports.services.submissions import (
    MAX_PHOTOS_PER_REPORT,
    checkin_create,
    photo_attach,
    report_submit,
)

__all__ = [
    "MAX_PHOTOS_PER_REPORT",
    "checkin_create",
    "photo_attach",
    "report_answer",
    "report_ask",
    "report_claim",
    "report_redact",
    "report_reject",
    "report_release",
    "report_reopen",
    "report_set_severity",
    "report_submit",
    "report_verify",
]
