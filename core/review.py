"""The review vocabulary every kind of evidence shares: an incident report and a protocol copy move
through the same statuses, and a reviewer's note has the same limit on both."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_NOTE = 2000


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Question from a reviewer")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
