"""Paper returns: a checklist filled on paper by an observer without a phone, typed twice by two
different members of staff; when the two copies agree, or when a third person has settled where
they differ, the answers become a submission like the phone's (checklists.double_entry)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from checklists.models.answers import Submission
from checklists.models.definitions import ChecklistVersion
from people.models import Organization
from stations.models import PollingStation


class ReturnState(models.TextChoices):
    ENTERING = "entering", _("Waiting for the second entry")
    DIFFERING = "differing", _("Entries differ: to settle")
    DONE = "done", _("Recorded")


class PaperReturn(models.Model):
    """One paper form, as it came back from a station: who filled it in, where, on which version."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="paper_returns")
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="paper_returns")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="paper_returns")
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="paper_returns"
    )
    answered_at = models.DateTimeField(_("answered at"))
    state = models.CharField(
        _("state"), max_length=16, choices=ReturnState.choices, default=ReturnState.ENTERING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when the third person settles the differences: who, when, and the answers they chose.
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="settled_paper_returns",
        null=True,
        blank=True,
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_answers = models.JSONField(_("settled answers"), null=True, blank=True)
    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="paper_return", null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper return")
        verbose_name_plural = _("paper returns")
        constraints = [
            # One observer's paper for one version at one station is typed in once, twice over.
            models.UniqueConstraint(
                fields=["version", "station", "observer"], name="paper_return_once_per_paper"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReturnState.values), name="paper_return_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} at {self.station_id} ({self.get_state_display()})"


class PaperEntry(models.Model):
    """One clerk's typing of a paper return, kept as typed (after the phone's validation)."""

    paper_return = models.ForeignKey(PaperReturn, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)
    at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["paper_return", "at", "pk"]
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        constraints = [
            models.UniqueConstraint(fields=["paper_return", "entered_by"], name="paper_entry_one_per_clerk"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_return_id} by {self.entered_by_id}"
