"""Checklist results in the coordinator console: the checklists of the reader's organizations in an
election, and for one checklist each question's answers as shares of the random sample's stations
with their 95 % intervals, beside the same counted over every observed station (not
representative), nationally or for one district; and the same figures as CSV.

A checklist is its organization's own instrument, and its answers are that organization's data:
a reader sees the results of their organizations' checklists of that code only, computed from all
of their submissions (checklists.results). Another organization's checklist of the same code may
ask other questions, and is neither shown nor pooled."""

import csv
import io

from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from checklists.models import Checklist
from checklists.results import (
    MEAN,
    NO,
    YES,
    AnswerLine,
    ChecklistResults,
    Estimate,
    QuestionLine,
    checklist_results,
)
from checklists.texts import text_in
from console.board import dashboard_elections
from console.views import charts
from console.views.charts import QUIET, bar, label, percent, svg
from people.selectors import scoped_for_staff
from reports.exports import neutralise
from stations.models import Election

PERMISSION = "checklists.view_submission"
DASH, EN_DASH = "\u2014", "\u2013"


def staff_checklists(request: HttpRequest, election: Election) -> QuerySet[Checklist]:
    """The election's checklists of the reader's organizations. Staff who may not read checklist
    answers at all are refused; another organization's checklist is as missing as none."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return scoped_for_staff(Checklist.objects.filter(election=election), request.user, permission=PERMISSION)


def checklist_index(request: HttpRequest) -> HttpResponse:
    """The election's checklists the reader may see, each linked to its results."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    elections = list(dashboard_elections())
    slug = request.GET.get("election")
    election = next((e for e in elections if e.slug == slug), None) if slug else next(iter(elections), None)
    if slug and election is None:
        raise Http404(_("No such election."))
    rows = []
    if election is not None:
        for checklist in staff_checklists(request, election).order_by("phase", "code", "pk"):
            url = reverse("admin_checklist_results", args=[election.slug, checklist.code])
            if all(row["url"] != url for row in rows):
                rows.append({"checklist": checklist, "name": checklist_name(checklist), "url": url})
    context = {
        **admin.site.each_context(request),
        "title": _("Checklist results"),
        "elections": elections,
        "election": election,
        "rows": rows,
    }
    return TemplateResponse(request, "console/checklist_index.html", context)


def checklist_name(checklist: Checklist) -> str:
    return text_in({"kk": checklist.name_kk, "ru": checklist.name_ru, "en": checklist.name_en})


def read_results(request: HttpRequest, slug: str, code: str) -> tuple[Election, ChecklistResults, int | None]:
    """The election, the results of its checklists of `code` the reader may see, and the index of
    the district asked for with ?district=NUMBER (None: the whole election)."""
    election = get_object_or_404(Election, slug=slug)
    results = checklist_results(
        election=election, checklists=staff_checklists(request, election).filter(code=code)
    )
    if results is None:
        raise Http404(_("No such published checklist in this election."))
    return election, results, district_index(request, results)


def district_index(request: HttpRequest, results: ChecklistResults) -> int | None:
    asked = request.GET.get("district", "")
    if not asked:
        return None
    if not asked.isdecimal():
        raise BadRequest(_("Give the district as its number."))
    for index, district in enumerate(results.districts):
        if district.number == int(asked):
            return index
    raise Http404(_("No such district in this election."))


def results_page(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    election, results, index = read_results(request, slug, code)
    lines = results.national() if index is None else results.district(index)
    base = reverse("admin_checklist_results", args=[slug, code])
    context = {
        **admin.site.each_context(request),
        "title": _("Results of the checklist “%(name)s”") % {"name": text_in(results.name)},
        "election": election,
        "results": results,
        "district": None if index is None else results.districts[index],
        "questions": [question_cells(line) for line in lines],
        "index_url": f"{reverse('admin_checklist_index')}?election={election.slug}",
        "csv_url": reverse("admin_checklist_results_csv", args=[slug, code])
        + (f"?district={results.districts[index].number}" if index is not None else ""),
        "base_url": base,
    }
    return TemplateResponse(request, "console/checklist_results.html", context)


# --- Figures in words ----------------------------------------------------------------------------


def answer_label(line: AnswerLine) -> str:
    if line.answer == YES:
        return _("yes")
    if line.answer == NO:
        return _("no")
    if line.answer == MEAN:
        return _("mean")
    return text_in(line.label or {}) or line.answer


def shown(value: float | None, mean: bool) -> str:
    if value is None:
        return DASH
    return number_format(round(value, 1), 1) if mean else percent(value)


def interval_text(estimate: Estimate | None, mean: bool) -> str:
    if estimate is None:
        return DASH
    return EN_DASH.join(shown(end, mean) for end in (estimate.low, estimate.high))


def question_cells(line: QuestionLine) -> dict:
    return {
        "line": line,
        "label": text_in(line.label),
        "counted_only": not line.answers,
        "chart": share_chart(line),
        "answers": [
            {
                "label": answer_label(answer),
                "mean": answer.answer == MEAN,
                "sample": shown(answer.sample.estimate if answer.sample else None, answer.answer == MEAN),
                "interval_95": interval_text(answer.sample, answer.answer == MEAN),
                "sample_count": answer.sample_count,
                "observed": shown(answer.observed, answer.answer == MEAN),
                "observed_count": answer.observed_count,
            }
            for answer in line.answers
        ],
    }


def share_chart(line: QuestionLine) -> SafeString | None:
    """A bar per answer for the sample's estimate, its 95 % interval as a line across the bar's
    end; None for a number's mean or without an estimate."""
    answers = [answer for answer in line.answers if answer.answer != MEAN and answer.sample]
    if not answers:
        return None
    row, left, plot = 20, 160, 300
    width, height = left + plot + 60, row * len(answers) + 6
    body, listed = [], []
    for index, answer in enumerate(answers):
        estimate, name, y = answer.sample, answer_label(answer), 3 + index * row
        tip = _("%(answer)s: %(share)s (95 %%: %(interval)s)") % {
            "answer": name,
            "share": percent(estimate.estimate),
            "interval": interval_text(estimate, False),
        }
        body.append(label(left - 6, y + row - 7, name, anchor="end"))
        body.append(bar(left, y + 3, plot * estimate.estimate, row - 8, tip))
        body.append(
            charts.line(
                left + plot * estimate.low,
                y + row / 2,
                left + plot * estimate.high,
                y + row / 2,
                f'stroke="{QUIET}" stroke-width="2"',
            )
        )
        body.append(
            label(left + plot * estimate.high + 4, y + row - 7, percent(estimate.estimate), anchor="start")
        )
        listed.append(tip)
    return svg(f"chart-{line.code}", width, height, text_in(line.label), "; ".join(listed), body)


# --- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "checklist",
    "district",
    "district_name",
    "question",
    "kind",
    "question_label",
    "answer",
    "answer_label",
    "sample_estimate",
    "sample_standard_error",
    "sample_low_95",
    "sample_high_95",
    "sample_count",
    "sample_answered",
    "sample_population",
    "observed_not_representative",
    "observed_count",
    "observed_answered",
]


def results_csv(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One row per question, answer and scope: the whole election and each district, or the
    district asked for. Questions counted only have one row, answer "answered"."""
    election, results, index = read_results(request, slug, code)
    scopes = [(None, results.national())] if index is None else []
    for h, district in enumerate(results.districts):
        if index is None or h == index:
            scopes.append((district, results.district(h)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for district, lines in scopes:
        for line in lines:
            for row in csv_rows(results.code, district, line):
                writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    where = f"-district-{results.districts[index].number}" if index is not None else ""
    response["Content-Disposition"] = f'attachment; filename="{election.slug}-{results.code}{where}.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.6f}"


def csv_rows(code: str, district, line: QuestionLine):
    # Names and labels are written by people: a spreadsheet must not run them as formulas.
    where = [code, district.number if district else "", neutralise(district.name) if district else ""]
    question = [line.code, line.kind, neutralise(text_in(line.label))]
    if not line.answers:
        yield [
            *where,
            *question,
            "answered",
            "",
            "",
            "",
            "",
            "",
            "",
            line.sample_answered,
            "",
            "",
            "",
            line.observed_answered,
        ]
    for answer in line.answers:
        estimate, mean = answer.sample, answer.answer == MEAN
        yield [
            *where,
            *question,
            answer.answer,
            "" if answer.answer in (YES, NO, MEAN) else neutralise(text_in(answer.label or {})),
            *(
                [
                    number(estimate.estimate),
                    number(estimate.standard_error),
                    number(estimate.low),
                    number(estimate.high),
                ]
                if estimate
                else ["", "", "", ""]
            ),
            "" if mean else answer.sample_count,
            line.sample_answered,
            number(estimate.population) if estimate else "",
            number(answer.observed),
            "" if mean else answer.observed_count,
            line.observed_answered,
        ]
