"""The commission's published results, one batch per imported file.

Importing a corrected file makes a new current batch; the earlier ones stay as history, so a
change the commission made after publishing stays visible."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counts.models.contests import Contest
from stations.models import PollingStation


class ResultBatch(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="result_batches")
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("stations"))
    current = models.BooleanField(_("current"), default=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("official results file")
        verbose_name_plural = _("official results files")
        constraints = [
            models.UniqueConstraint(
                fields=["contest"], condition=Q(current=True), name="result_batch_one_current_per_contest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contest.code}: {self.filename}"


class OfficialResultQuerySet(models.QuerySet):
    def current(self) -> "OfficialResultQuerySet":
        return self.filter(batch__current=True)


class OfficialResult(models.Model):
    """One station's line of the official results. `votes` maps a choice's code to its votes."""

    batch = models.ForeignKey(ResultBatch, on_delete=models.CASCADE, related_name="results")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="official_results")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="official_results")
    registered = models.PositiveIntegerField(_("registered voters"))
    ballots_issued = models.PositiveIntegerField(_("ballots issued"))
    ballots_in_boxes = models.PositiveIntegerField(_("ballots in the boxes"))
    invalid = models.PositiveIntegerField(_("invalid ballots"))
    valid = models.PositiveIntegerField(_("valid ballots"))
    votes = models.JSONField(_("votes"), default=dict)

    objects = OfficialResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("official result")
        verbose_name_plural = _("official results")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "station"], name="official_result_station_unique_per_batch"
            ),
        ]
        indexes = [models.Index(fields=["contest", "station"], name="official_result_station_idx")]

    def __str__(self) -> str:
        return f"{self.contest.code} {self.station.number}"

    @property
    def turnout(self) -> float | None:
        return self.ballots_in_boxes / self.registered if self.registered else None
