"""Stored runs of the election-forensics tests (counts.forensics) on a contest's official results."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from counts.models.contests import Contest
from counts.models.results import ResultBatch


class ForensicRun(models.Model):
    """The tests of one contest's current results, as `ElectionForensics.as_dict()` gave them.

    With the leader, the seed and the parameters stored beside the results file, any published
    figure re-runs exactly."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="forensic_runs")
    batch = models.ForeignKey(ResultBatch, on_delete=models.CASCADE, related_name="forensic_runs")
    leader = models.CharField(_("leader"), max_length=32)
    seed = models.BigIntegerField(_("seed"))
    params = models.JSONField(_("parameters"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    seconds = models.FloatField(_("seconds taken"), default=0)
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("forensics run")
        verbose_name_plural = _("forensics runs")
        indexes = [models.Index(fields=["contest", "-created_at"], name="forensic_run_contest_idx")]

    def __str__(self) -> str:
        return f"{self.contest.code} {self.created_at:%Y-%m-%d %H:%M}"

    def district_flags(self) -> dict[int, float]:
        """F by district number, for the integrity score."""
        return {int(item["district"]): float(item["F"]) for item in self.results.get("districts", [])}
