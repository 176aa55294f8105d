"""Checklist results for partners (scores:read): for each question of a checklist, the share of each
answer at the random sample's stations with its 95 % interval, beside the same counted over every
observed station (not representative), for the whole election or one district.

Aggregates only: no station, no observer, no answer of a text or photo question (those are only
counted). Only checklists of organizations that share with partners count; checklist answers have
no review step, so sharing is the only filter there is, as for turnout counts."""

from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from checklists.models import Checklist
from checklists.results import MEAN, AnswerLine, ChecklistResults, Estimate, QuestionLine, checklist_results
from checklists.texts import text_in
from partners import selectors
from partners.filters import MAX_INT
from partners.models import Scope
from partners.schema import ELECTION, PARTNER_TAG, RETRY_AFTER, errors, response_example
from partners.views.base import PartnerView

EXAMPLE = {
    "election": "majilis-2023-demo",
    "checklist": "opening",
    "name": "Opening",
    "sample_used": True,
    "district": None,
    "questions": [
        {
            "code": "box_sealed",
            "kind": "yes_no",
            "label": "Was the ballot box empty and sealed before voting began?",
            "sample_answered": 412,
            "observed_answered": 655,
            "answers": [
                {
                    "answer": "no",
                    "label": None,
                    "sample": {
                        "estimate": 0.121,
                        "standard_error": 0.0158,
                        "margin_95": 0.031,
                        "interval_95": [0.09, 0.152],
                        "stations": 412,
                        "population": 9860,
                    },
                    "sample_count": 49,
                    "all_observed": {"value": 0.147, "count": 96, "representative": False},
                }
            ],
        }
    ],
}


class ChecklistResultsQuery(serializers.Serializer):
    district = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False)


class ChecklistSampleOutput(serializers.Serializer):
    estimate = serializers.FloatField(help_text=gettext_lazy("A share between 0 and 1, or a number's mean."))
    standard_error = serializers.FloatField()
    margin_95 = serializers.FloatField()
    interval_95 = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    stations = serializers.IntegerField(
        help_text=gettext_lazy("Sampled stations in the estimate that answered.")
    )
    population = serializers.IntegerField(help_text=gettext_lazy("Stations the estimate speaks for."))


class ChecklistObservedOutput(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text=gettext_lazy("The share (or mean) counted."))
    count = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Stations that gave this answer.")
    )
    representative = serializers.BooleanField(
        help_text=gettext_lazy("Always false: every observed station, not a random sample.")
    )


class ChecklistAnswerOutput(serializers.Serializer):
    answer = serializers.CharField(help_text=gettext_lazy('"yes", "no", a choice\'s code, or "mean".'))
    label = serializers.CharField(allow_null=True, help_text=gettext_lazy("A choice's label."))
    sample = ChecklistSampleOutput(
        allow_null=True, help_text=gettext_lazy("Null without a random sample large enough.")
    )
    sample_count = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Sampled stations that gave this answer.")
    )
    all_observed = ChecklistObservedOutput()


class ChecklistQuestionOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=["yes_no", "choice", "choices", "number", "time", "text", "photo"])
    label = serializers.CharField()
    sample_answered = serializers.IntegerField()
    observed_answered = serializers.IntegerField()
    answers = ChecklistAnswerOutput(
        many=True, help_text=gettext_lazy("Empty for time, text and photo questions, which are only counted.")
    )


class ChecklistDistrictOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class ChecklistResultsOutput(serializers.Serializer):
    election = serializers.SlugField()
    checklist = serializers.SlugField()
    name = serializers.CharField()
    sample_used = serializers.BooleanField(
        help_text=gettext_lazy("False when the election has no random sample.")
    )
    district = ChecklistDistrictOutput(allow_null=True, help_text=gettext_lazy("Null: the whole election."))
    questions = ChecklistQuestionOutput(many=True)


def sample_data(estimate: Estimate | None) -> dict | None:
    if estimate is None:
        return None
    return {
        "estimate": estimate.estimate,
        "standard_error": estimate.standard_error,
        "margin_95": estimate.margin_95,
        "interval_95": [estimate.low, estimate.high],
        "stations": estimate.stations,
        "population": estimate.population,
    }


def answer_data(answer: AnswerLine) -> dict:
    mean = answer.answer == MEAN
    return {
        "answer": answer.answer,
        "label": text_in(answer.label) if answer.label else None,
        "sample": sample_data(answer.sample),
        "sample_count": None if mean else answer.sample_count,
        "all_observed": {
            "value": answer.observed,
            "count": None if mean else answer.observed_count,
            "representative": False,
        },
    }


def question_data(line: QuestionLine) -> dict:
    return {
        "code": line.code,
        "kind": line.kind,
        "label": text_in(line.label),
        "sample_answered": line.sample_answered,
        "observed_answered": line.observed_answered,
        "answers": [answer_data(answer) for answer in line.answers],
    }


@extend_schema_view(
    get=extend_schema(
        tags=[PARTNER_TAG],
        summary="A checklist's results on the random sample, nationally or for one district (scores:read)",
        parameters=[
            ELECTION,
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The checklist's code."
            ),
            OpenApiParameter(
                "district", OpenApiTypes.INT, description="A district's number: its figures alone."
            ),
            RETRY_AFTER,
        ],
        responses={200: ChecklistResultsOutput, **errors(400, 401, 403, 404, 429)},
        examples=[response_example("One question", EXAMPLE)],
    )
)
class ChecklistResultsView(PartnerView):
    """Each question's answers as shares of the random sample's stations that answered it, with
    the 95 % interval (stratified by district, finite-population corrected), and the same counted
    over every observed station, marked as not representative."""

    required_scope = Scope.SCORES_READ
    serializer_class = ChecklistResultsOutput

    @cached_property
    def election(self):
        return selectors.election_get_for_partner(slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        query = ChecklistResultsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        shared = Checklist.objects.filter(
            election=self.election, code=self.kwargs["code"], organization__share_with_partners=True
        )
        results = checklist_results(election=self.election, checklists=shared)
        if results is None:
            raise exceptions.NotFound(_("No such checklist in this election."))
        index = self.district_index(results, query.validated_data.get("district"))
        lines = results.national() if index is None else results.district(index)
        district = None if index is None else results.districts[index]
        data = {
            "election": self.election.slug,
            "checklist": results.code,
            "name": text_in(results.name),
            "sample_used": results.sample_used,
            "district": {"number": district.number, "name": district.name} if district else None,
            "questions": [question_data(line) for line in lines],
        }
        return Response(ChecklistResultsOutput(data).data)

    def district_index(self, results: ChecklistResults, number: int | None) -> int | None:
        if number is None:
            return None
        for index, district in enumerate(results.districts):
            if district.number == number:
                return index
        raise exceptions.ValidationError({"district": [_("Give the number of a district of this election.")]})
