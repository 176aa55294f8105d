"""What is voted on: an election's contests and their parties or candidates."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import District, Election


class ContestKind(models.TextChoices):
    PARTY_LIST = "party_list", _("party list")
    CANDIDATES = "candidates", _("candidates")


class Contest(models.Model):
    """One ballot of the election: the national party list, or the single-mandate districts."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="contests")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ContestKind.choices)

    class Meta:
        ordering = ["election", "code"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="contest_code_unique_per_election"),
            models.CheckConstraint(condition=Q(kind__in=ContestKind.values), name="contest_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Choice(models.Model):
    """A party, or a candidate; a candidate stands in one district and is voted for only there."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="choices")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("district"),
        help_text=_("For a candidate: the district where they stand. Empty for a party."),
    )
    position = models.PositiveIntegerField(_("position on the ballot"), default=0)

    class Meta:
        ordering = ["contest", "district", "position", "code"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="choice_code_unique_per_contest"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
