"""A checklist's draft as the admin edits it (sections, questions, choices, consistency rules), and
the versions that publishing freezes from it.

The rules a question obeys on its own are checked by its clean(); the rules that concern the whole
checklist (codes, conditions, consistency rules) by checklists.builder, which clean() calls too and
which publishing runs again over the whole draft.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import AppendOnlyModel
from people.models import Organization
from reports.taxonomy import Category, Phase, Severity
from stations.models import Election


class ChecklistPhase(models.TextChoices):
    OPENING = "opening", _("Opening")
    VOTING = "voting", _("Voting")
    CLOSING = "closing", _("Closing")
    COUNTING = "counting", _("Counting")


# The phase of an incident report that a critical answer of each checklist phase becomes: reports
# know no "closing", which is the first step of the count.
REPORT_PHASE = {
    ChecklistPhase.OPENING: Phase.OPENING,
    ChecklistPhase.VOTING: Phase.VOTING,
    ChecklistPhase.CLOSING: Phase.COUNTING,
    ChecklistPhase.COUNTING: Phase.COUNTING,
}


class Kind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One choice")
    CHOICES = "choices", _("Several choices")
    NUMBER = "number", _("Whole number")
    TIME = "time", _("Time (HH:MM)")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo")


class Operator(models.TextChoices):
    LT = "<", "<"
    LE = "<=", "≤"
    EQ = "=", "="
    GE = ">=", "≥"
    GT = ">", ">"


CODE_HELP = _("Letters, digits, hyphens and underscores; it never changes once observers use it.")


class Checklist(models.Model):
    """The draft of one organization's checklist for an election and a phase."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="checklists")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="checklists")
    code = models.SlugField(_("code"), max_length=40, help_text=CODE_HELP)
    phase = models.CharField(_("phase"), max_length=16, choices=ChecklistPhase.choices)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["election", "phase", "code"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        permissions = [("publish_checklist", _("Can publish checklists and clone them"))]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "election", "code"], name="checklist_code_unique_per_election"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=ChecklistPhase.values), name="checklist_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"


class Section(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)

    class Meta:
        ordering = ["checklist", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title_en


class Question(models.Model):
    # The checklist as well as the section: codes are unique within the checklist, and the
    # questions are edited on the checklist's page.
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40, help_text=CODE_HELP)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label_kk = models.CharField(_("label (Kazakh)"), max_length=500, blank=True)
    label_ru = models.CharField(_("label (Russian)"), max_length=500, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=500)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    show_if_question = models.SlugField(
        _("shown only if question"),
        max_length=40,
        blank=True,
        help_text=_("The code of an earlier question; empty: always shown."),
    )
    show_if_equals = models.CharField(
        _("has the answer"),
        max_length=40,
        blank=True,
        help_text=_("true or false, a choice's code, or a whole number."),
    )
    critical_values = models.CharField(
        _("critical answers"),
        max_length=200,
        blank=True,
        help_text=_(
            "Answers that become an incident report, separated by commas: true or false, "
            "choice codes, or whole numbers."
        ),
    )
    critical_severity = models.PositiveSmallIntegerField(
        _("severity of a critical answer"), choices=Severity.choices, null=True, blank=True
    )
    critical_category = models.CharField(
        _("category of a critical answer"), max_length=32, choices=Category.choices, blank=True
    )

    class Meta:
        ordering = ["checklist", "section__order", "section_id", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="question_code_unique_per_checklist"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="question_kind_valid"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="question_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label_en}"

    @property
    def critical_list(self) -> list[str]:
        return [value.strip() for value in self.critical_values.split(",") if value.strip()]

    def clean(self) -> None:
        from checklists.builder import question_errors

        question_errors(self).raise_if_any()


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40, help_text=CODE_HELP)
    label_kk = models.CharField(_("label (Kazakh)"), max_length=200, blank=True)
    label_ru = models.CharField(_("label (Russian)"), max_length=200, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=200)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label_en}"

    def clean(self) -> None:
        from checklists.builder import choice_errors

        choice_errors(self).raise_if_any()


class ConsistencyRule(models.Model):
    """A comparison between two answers (or an answer and a number or a time) that should hold.
    A submission that breaks it is kept and flagged, never refused."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    left = models.SlugField(_("question"), max_length=40)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.SlugField(_("other question"), max_length=40, blank=True)
    constant = models.CharField(
        _("or a value"), max_length=10, blank=True, help_text=_("A whole number or a time HH:MM.")
    )
    message_kk = models.CharField(_("message (Kazakh)"), max_length=300, blank=True)
    message_ru = models.CharField(_("message (Russian)"), max_length=300, blank=True)
    message_en = models.CharField(_("message (English)"), max_length=300)

    class Meta:
        ordering = ["checklist", "order", "pk"]
        verbose_name = _("consistency rule")
        verbose_name_plural = _("consistency rules")
        constraints = [
            models.CheckConstraint(condition=Q(operator__in=Operator.values), name="rule_operator_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right or self.constant}"

    def clean(self) -> None:
        from checklists.builder import rule_errors

        rule_errors(self).raise_if_any()


class ChecklistVersion(AppendOnlyModel):
    """A published checklist, frozen: its definition is what the phone renders and what the server
    validates answers against. Never changed; publishing again makes the next number."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["checklist", "-number"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="checklist_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.checklist.code} v{self.number}"
