"""Paper returns in the admin: the data-entry screen (the form generated from the version's
definition), the list of returns waiting for their second entry or for settling, and a return's
page showing the differences question by question for a third person to settle.

Paper is entered by the organization's staff who read its checklist submissions (reviewers and
coordinators): the right comes from the role held in the return's organization, as everywhere in
the admin (people.admin.mixins)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from checklists.double_entry import differences, paper_entry_add, paper_settle
from checklists.models import ChecklistVersion, PaperReturn, ReturnState
from checklists.paper import answer_text
from checklists.services import AnswersRejected
from checklists.texts import text_in
from checklists.validation import questions_of
from core.errors import ApplicationError, NotFound
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, permitted_organization_ids
from people.models import Membership, Role
from stations.models import PollingStation

# Who may read an organization's checklist submissions may type in its paper ones.
ENTER = "checklists.view_submission"


def shown(question: dict | None, value) -> str:
    """An answer as the clerk reads it."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(answer_text(question, item, None) for item in value) if question else str(value)
    return answer_text(question, value, None) if question else str(value)


class HeaderForm(forms.Form):
    """What the top of the paper says: the checklist, the station, the observer and when."""

    version = forms.ModelChoiceField(ChecklistVersion.objects.none(), label=gettext_lazy("checklist version"))
    station = forms.CharField(label=gettext_lazy("polling station number"), max_length=32)
    observer = forms.ModelChoiceField(None, label=gettext_lazy("observer"))
    date = forms.DateField(label=gettext_lazy("date filled in"), help_text=gettext_lazy("YYYY-MM-DD"))
    time = forms.TimeField(label=gettext_lazy("time filled in"), help_text=gettext_lazy("HH:MM"))

    def __init__(self, *args, organization_ids: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        versions = ChecklistVersion.objects.select_related("checklist__election").order_by(
            "checklist__election", "checklist__code", "-number"
        )
        observing = Membership.objects.filter(role=Role.OBSERVER)
        if organization_ids is not None:
            versions = versions.filter(checklist__organization_id__in=organization_ids)
            observing = observing.filter(organization_id__in=organization_ids)
        self.fields["version"].queryset = versions
        self.fields["observer"].queryset = (
            get_user_model().objects.filter(pk__in=observing.values("user_id")).order_by("username")
        )

    def clean(self):
        data = super().clean()
        version = data.get("version")
        if version is None or "station" not in data:
            return data
        election = version.checklist.election
        station = PollingStation.objects.filter(election=election, number=data["station"].strip()).first()
        if station is None:
            self.add_error("station", _("%(election)s has no such station.") % {"election": election})
        else:
            data["station_row"] = station
        if data.get("date") and data.get("time"):
            data["answered_at"] = datetime.combine(
                data["date"], data["time"], tzinfo=ZoneInfo(election.timezone)
            )
        return data


YES_NO = [("", "—"), ("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]


class AnswersForm(forms.Form):
    """A field per question that paper carries (photos come by hand), named by its code. Every
    field is optional here: checklists.validation decides, as it does for the phone's answers."""

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, **kwargs)
        questions = questions_of(definition)
        by_code = {question["code"]: question for question in questions}
        for question in questions:
            field = _field(question, by_code)
            if field is not None:
                self.fields[question["code"]] = field


def _field(question: dict, by_code: dict) -> forms.Field | None:
    label = f"{question['code']}. {text_in(question['label'])}"
    help_text = ""
    if condition := question["show_if"]:
        earlier = by_code[condition["question"]]
        help_text = _("Answer only if %(code)s is “%(answer)s”.") % {
            "code": earlier["code"],
            "answer": answer_text(earlier, condition["equals"], None),
        }
    common = {"label": label, "required": False, "help_text": help_text}
    choices = [(choice["code"], text_in(choice["label"])) for choice in question["choices"]]
    kind = question["kind"]
    if kind == "yes_no":
        return forms.TypedChoiceField(
            choices=YES_NO, coerce=lambda value: value == "true", empty_value=None, **common
        )
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == "choices":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "number":
        return forms.IntegerField(**common)
    if kind == "time":
        return forms.CharField(max_length=5, **common)
    if kind == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
    return None


def typed_answers(form: forms.Form) -> dict:
    return {code: value for code, value in form.cleaned_data.items() if value not in (None, "", [])}


@admin.register(PaperReturn)
class PaperReturnAdmin(OrganizationScopedAdmin):
    list_display = ["created_at", "station", "version", "observer", "state", "entered", "recorded"]
    list_filter = ["state", "version__checklist__election", ("organization", OrganizationFilter)]
    list_select_related = ["station", "version__checklist", "observer", "submission"]
    search_fields = ["=station__number"]
    fields = readonly_fields = [
        "organization",
        "version",
        "station",
        "observer",
        "answered_at",
        "state",
        "settled_by",
        "settled_at",
        "recorded",
    ]
    change_form_template = "admin/checklists/paperreturn/change_form.html"

    # The rights are those over the organization's submissions (ENTER), held through the role.
    def permission_name(self, action: str) -> str:
        return ENTER

    def has_module_permission(self, request):
        return request.user.has_perm(ENTER)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(ENTER) and (
            obj is None or (self.in_scope(request, obj) and self.role_permits(request, ENTER, obj))
        )

    def has_add_permission(self, request):
        return request.user.has_perm(ENTER)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=gettext_lazy("entries"), ordering="entry_count")
    def entered(self, paper):
        return paper.entry_count

    @admin.display(description=gettext_lazy("submission"))
    def recorded(self, paper):
        if paper.submission_id is None:
            return ""
        url = reverse("admin:checklists_submission_change", args=[paper.submission_id])
        return format_html('<a href="{}">{}</a>', url, paper.submission_id)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/settle/",
                self.admin_site.admin_view(require_POST(self.settle_view)),
                name="checklists_paperreturn_settle",
            ),
            *super().get_urls(),
        ]

    # The data-entry screen: first the top of the paper, then its answers.
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        organization_ids = permitted_organization_ids(request, ENTER)
        data = request.POST if request.method == "POST" else None
        header = HeaderForm(data, organization_ids=organization_ids)
        answers = None
        if header.is_valid():
            definition = header.cleaned_data["version"].definition
            bound = data if "answers_step" in request.POST else None
            answers = AnswersForm(bound, definition=definition, prefix="a")
            if "answers_step" in request.POST and answers.is_valid():
                paper = self._enter(request, header, answers, organization_ids)
                if paper is not None:
                    return redirect(reverse("admin:checklists_paperreturn_change", args=[paper.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Enter a paper checklist"),
            "header": header,
            "answers": answers,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/checklists/paperreturn/enter.html", context)

    def _enter(self, request, header, answers, organization_ids) -> PaperReturn | None:
        data = header.cleaned_data
        try:
            paper = paper_entry_add(
                by=request.user,
                organization_ids=organization_ids,
                version=data["version"],
                station=data["station_row"],
                observer=data["observer"],
                answered_at=data["answered_at"],
                answers=typed_answers(answers),
            )
        except AnswersRejected as exc:
            for code, message in exc.errors.items():
                answers.add_error(code if code in answers.fields else None, f"{code}: {message}")
            return None
        except NotFound as exc:
            header.add_error("station", exc.message)
            return None
        except ApplicationError as exc:
            answers.add_error(None, exc.message)
            return None
        messages.success(request, self._entered_message(paper))
        return paper

    def _entered_message(self, paper: PaperReturn) -> str:
        if paper.state == ReturnState.DONE:
            return _("Both entries agree: the checklist is recorded.")
        if paper.state == ReturnState.DIFFERING:
            return _("The two entries differ: a third person settles the differences.")
        return _("First entry saved: another person now enters the same paper.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        paper = self.get_object(request, object_id)
        definition = paper.version.definition
        by_code = {question["code"]: question for question in questions_of(definition)}
        entries = list(paper.entries.select_related("entered_by"))
        found = differences(paper) if paper.state == ReturnState.DIFFERING else []
        context = {
            "entries": entries,
            "differences": [
                {
                    "code": d.code,
                    "label": d.label,
                    "options": [
                        (json.dumps(value), shown(by_code.get(d.code), value), entry.entered_by)
                        for value, entry in ((d.first, entries[0]), (d.second, entries[1]))
                    ],
                }
                for d in found
            ],
            "can_settle": paper.state == ReturnState.DIFFERING
            and not any(entry.entered_by_id == request.user.pk for entry in entries),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def settle_view(self, request, object_id):
        paper = self.get_object(request, object_id)
        if not self.has_view_permission(request, paper):
            raise Http404
        try:
            chosen = (
                {
                    difference.code: json.loads(request.POST[f"choice-{difference.code}"])
                    for difference in differences(paper)
                    if f"choice-{difference.code}" in request.POST
                }
                if paper.state == ReturnState.DIFFERING
                else {}
            )
            paper_settle(paper=paper, by=request.user, chosen=chosen)
        except json.JSONDecodeError:
            messages.error(request, _("Choose one of the two entries' answers."))
        except AnswersRejected as exc:
            messages.error(request, " ".join(f"{code}: {message}" for code, message in exc.errors.items()))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Settled: the checklist is recorded."))
        return redirect(reverse("admin:checklists_paperreturn_change", args=[paper.pk]))
