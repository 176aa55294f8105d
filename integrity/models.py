"""Published integrity scores: each recompute as a run, the current score of every district and
every station's indicator, and the history of every published district score.

A run stores the parameters, the seed and the district inputs it computed from (and their digest),
so that any number it published can be re-run exactly (integrity.services.score_rerun), and
the prior it fitted, against which one district can be scored alone.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.taxonomy import Severity
from stations.models import District, Election, PollingStation


class ScoreRunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    # Computed, but a later run had already published: its numbers were not written.
    SUPERSEDED = "superseded", _("superseded by a later run")
    FAILED = "failed", _("failed")
    # Still "running" long after it started: its worker was killed or lost (see runs_abandon).
    ABANDONED = "abandoned", _("abandoned: never finished")


class Coverage(models.TextChoices):
    A = "A", _("A: random sample of at least 10 % and 30 stations")
    B = "B", _("B: at least 15 stations observed")
    C = "C", _("C: at least 5 stations observed")
    INSUFFICIENT = "insufficient", _("insufficient data")


class Band(models.TextChoices):
    A = "A", _("A: no serious problems found")
    B = "B", _("B: some problems found")
    C = "C", _("C: serious problems found")
    D = "D", _("D: grave problems found")


class ScoreRun(models.Model):
    """One recompute of an election's scores. Its id orders the runs: the row is written before the
    run reads anything, and a run never publishes over a later run that already published."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="score_runs")
    status = models.CharField(max_length=16, choices=ScoreRunStatus.choices, default=ScoreRunStatus.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Unknown until the inputs are read when it is derived from them (see scores_recompute).
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    method = models.CharField(_("method version"), max_length=16, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    inputs_digest = models.CharField(_("SHA-256 of inputs, parameters and seed"), max_length=64, blank=True)
    # DistrictInput.as_dict() for every district, in the order they were scored.
    inputs = models.JSONField(_("district inputs"), default=list)
    # The empirical-Bayes prior of each severity, BetaPrior.as_dict() by severity, fitted over the
    # inputs: a district scored alone is scored against it (integrity.services.score_district).
    priors = models.JSONField(_("priors"), default=dict)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ScoreRunStatus.values), name="score_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(seed__isnull=True) | Q(seed__gte=0), name="score_run_seed_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ScoreRunStatus.FINISHED)
                | Q(finished_at__isnull=False, seed__isnull=False),
                name="score_run_finished_has_seed",
            ),
        ]
        indexes = [models.Index(fields=["election", "status"], name="score_run_election_status_idx")]

    def __str__(self) -> str:
        return f"{self.election} run {self.pk} ({self.status})"


class DistrictScoreFields(models.Model):
    """What a district's score is made of; shared by the current score and its history."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"), null=True, blank=True)
    interval_80_low = models.FloatField(null=True, blank=True)
    interval_80_high = models.FloatField(null=True, blank=True)
    interval_95_low = models.FloatField(null=True, blank=True)
    interval_95_high = models.FloatField(null=True, blank=True)
    # Named only when the 80 % interval sits inside one band; otherwise the score lies between
    # band_high (the band of the interval's upper end) and band_low (that of its lower end).
    band = models.CharField(_("band"), max_length=1, choices=Band.choices, blank=True)
    band_low = models.CharField(max_length=1, choices=Band.choices, blank=True)
    band_high = models.CharField(max_length=1, choices=Band.choices, blank=True)
    coverage = models.CharField(_("coverage"), max_length=12, choices=Coverage.choices)
    n = models.PositiveIntegerField(_("stations counted"))
    sample_used = models.BooleanField(_("random sample used"))
    process_risk = models.FloatField(_("process risk"), null=True, blank=True)
    count_risk = models.FloatField(_("count risk"))
    forensic_flags = models.FloatField(_("forensic flags"))
    # θ per severity with its posterior alpha and beta, the prior, the intervals of the parts, and one
    # plain sentence per part (integrity.scoring.explain).
    components = models.JSONField(_("components"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(band__in=["", *Band.values]), name="%(app_label)s_%(class)s_band_valid"
            ),
            models.CheckConstraint(
                condition=Q(band_low__in=["", *Band.values]) & Q(band_high__in=["", *Band.values]),
                name="%(app_label)s_%(class)s_band_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(coverage__in=Coverage.values), name="%(app_label)s_%(class)s_coverage_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="%(app_label)s_%(class)s_score_range",
            ),
            # No score without enough stations, and always one with them.
            models.CheckConstraint(
                condition=Q(coverage=Coverage.INSUFFICIENT, score__isnull=True)
                | (~Q(coverage=Coverage.INSUFFICIENT) & Q(score__isnull=False)),
                name="%(app_label)s_%(class)s_score_iff_coverage",
            ),
        ]


class DistrictScore(DistrictScoreFields):
    """The current score of a district: the latest published run's."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="score")

    class Meta(DistrictScoreFields.Meta):
        ordering = ["district__number"]
        verbose_name = _("district score")
        verbose_name_plural = _("district scores")

    def __str__(self) -> str:
        return f"{self.district}: {self.score}"


class DistrictScoreHistory(DistrictScoreFields):
    """Every published district score, one row per run and district; never changed."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="score_history")

    class Meta(DistrictScoreFields.Meta):
        ordering = ["-run_id", "district__number"]
        verbose_name = _("district score history")
        verbose_name_plural = _("district score history")
        constraints = [
            *DistrictScoreFields.Meta.constraints,
            models.UniqueConstraint(fields=["run", "district"], name="district_score_history_unique_per_run"),
        ]
        indexes = [models.Index(fields=["district", "-run"], name="district_score_history_idx")]

    def __str__(self) -> str:
        return f"{self.district} run {self.run_id}: {self.score}"


class StationIndicator(models.Model):
    """A station's current indicator, for the drill-down from a district's score. `run` is the run
    that last changed it: a run rewrites only the indicators that changed."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    station = models.OneToOneField(PollingStation, on_delete=models.CASCADE, related_name="indicator")
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="+")
    # The worst severity with Y > 0; empty when every report of the station was rejected.
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, null=True, blank=True
    )
    y = models.FloatField(_("indicator Y"))
    # {"1": Y, "3": Y, "5": Y} before the worst-severity rule: the milder incidents stay visible.
    y_by_severity = models.JSONField(default=dict)
    incidents = models.PositiveIntegerField(_("incidents"))
    reports = models.PositiveIntegerField(_("reports"))

    class Meta:
        ordering = ["station_id"]
        verbose_name = _("station indicator")
        verbose_name_plural = _("station indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(severity__in=Severity.values),
                name="station_indicator_severity_valid",
            ),
            models.CheckConstraint(condition=Q(y__gte=0, y__lte=1), name="station_indicator_y_range"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}: Y={self.y:.2f}"
