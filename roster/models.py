"""The calls made to the observers of silent sampled stations, and the record of every forgetting."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AppendOnlyModel
from core.review import MAX_NOTE
from people.models import Membership, Organization
from stations.models import Election, PollingStation


class Stage(models.TextChoices):
    """What a sampled station had not sent in time."""

    ARRIVAL = "arrival", _("no arrival check-in")
    CLOSE = "close", _("no final count or protocol")


class Outcome(models.TextChoices):
    REACHED = "reached", _("reached")
    UNREACHABLE = "unreachable", _("unreachable")
    REPLACED = "replaced", _("replaced by another observer")


class RecontactCall(models.Model):
    """A reviewer called the observers of a silent sampled station. Calls are kept, never edited:
    the missing list shows the latest one per station and stage."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="recontact_calls")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="recontact_calls")
    station = models.ForeignKey(
        PollingStation, on_delete=models.CASCADE, related_name="recontact_calls", verbose_name=_("station")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.TextField(_("note"), max_length=MAX_NOTE, blank=True)
    replacement = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacing_calls",
        verbose_name=_("replacement observer"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("recontact call")
        verbose_name_plural = _("recontact calls")
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="recontact_stage_valid"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="recontact_outcome_valid"),
            # A replacement is named only when the outcome says the observer was replaced.
            models.CheckConstraint(
                condition=Q(replacement__isnull=True) | Q(outcome=Outcome.REPLACED),
                name="recontact_replacement_only_when_replaced",
            ),
        ]
        indexes = [
            models.Index(fields=["election", "organization", "station", "-at"], name="recontact_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station.number}: {self.get_outcome_display()} ({self.at:%Y-%m-%d %H:%M})"


class Forgetting(AppendOnlyModel):
    """The audit trail of forget_observers: who was forgotten (by pseudonym only) and when."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="forgettings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="forgettings")
    observers = models.PositiveIntegerField(_("observers forgotten"))
    photos = models.PositiveIntegerField(_("accreditation photos removed"))
    positions = models.PositiveIntegerField(_("positions removed"))
    pseudonyms = models.JSONField(_("pseudonyms"), default=list)
    actor = models.CharField(_("run by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("forgetting")
        verbose_name_plural = _("forgettings")

    def __str__(self) -> str:
        return f"{self.organization} / {self.election} ({self.at:%Y-%m-%d %H:%M})"
