"""Election forensics for partners (scores:read): the latest tests of each contest's official
results, and the fingerprint and distribution pictures as SVG, nationally or for one district."""

import hashlib
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from counts.dashboard import data_state, state_key
from counts.forensic_runs import latest_forensics
from counts.models import Contest
from counts.pictures import distributions_svg, fingerprint_svg, picture_numbers
from partners import selectors
from partners.models import Scope
from partners.schema import (
    ELECTION,
    FORENSICS_EXAMPLE,
    PARTNER_TAG,
    RETRY_AFTER,
    SVG_FORMAT,
    errors,
    response_example,
)
from partners.views.base import PartnerView

PICTURES = {"fingerprint": fingerprint_svg, "distributions": distributions_svg}
# A drawn picture is kept this long; its key changes as soon as the numbers it is drawn from do.
PICTURE_CACHE_SECONDS = 3600


class SvgRenderer(BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class ContestForensicsOutput(serializers.Serializer):
    contest = serializers.CharField()
    name = serializers.CharField()
    leader = serializers.CharField(help_text=_("The choice tested as the leader."))
    seed = serializers.IntegerField()
    run_at = serializers.DateTimeField()
    results_file = serializers.CharField(help_text=_("SHA-256 of the official results file tested."))
    districts = serializers.ListField(
        child=serializers.DictField(),
        help_text=_("Per district: number, name, stations, F and each test's statistic, p or z and flag."),
    )
    national = serializers.DictField()


class ForensicsOutput(serializers.Serializer):
    election = serializers.SlugField()
    contests = ContestForensicsOutput(many=True)


class ElectionView(PartnerView):
    required_scope = Scope.SCORES_READ

    @cached_property
    def election(self):
        return selectors.election_get_for_partner(slug=self.kwargs["slug"])


@extend_schema_view(
    get=extend_schema(
        tags=[PARTNER_TAG],
        summary="Election forensics of each contest's official results (scores:read)",
        description=_("A statistical anomaly is not proof of fraud; see the methodology."),
        parameters=[ELECTION, RETRY_AFTER],
        responses={200: ForensicsOutput, **errors(401, 403, 404, 429)},
        examples=[response_example("One contest", FORENSICS_EXAMPLE)],
    )
)
class ForensicsView(ElectionView):
    serializer_class = ForensicsOutput

    def get(self, request, *args, **kwargs):
        contests = []
        for contest in Contest.objects.filter(election=self.election).order_by("code"):
            run = latest_forensics(contest)
            if run is not None:
                contests.append(
                    {
                        "contest": contest.code,
                        "name": contest.name,
                        "leader": run.leader,
                        "seed": run.seed,
                        "run_at": run.created_at,
                        "results_file": run.batch.sha256,
                        "districts": run.results.get("districts", []),
                        "national": run.results.get("national", {}),
                    }
                )
        return Response(ForensicsOutput({"election": self.election.slug, "contests": contests}).data)


@extend_schema_view(
    get=extend_schema(
        tags=[PARTNER_TAG],
        summary="A forensic picture as SVG: fingerprint or distributions (scores:read)",
        parameters=[
            ELECTION,
            OpenApiParameter(
                "contest", OpenApiTypes.STR, OpenApiParameter.PATH, description="The contest's code."
            ),
            OpenApiParameter(
                "picture",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(PICTURES),
                description="Which picture.",
            ),
            OpenApiParameter("district", OpenApiTypes.INT, description="One district's stations only."),
            SVG_FORMAT,
            RETRY_AFTER,
        ],
        responses={
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="An SVG image."),
            **{
                (status, "application/json"): response
                for status, response in errors(400, 401, 403, 404, 429).items()
            },
        },
    )
)
class PictureView(ElectionView):
    """A drawn picture is kept until the official results change. One that has to be drawn afresh
    costs BAQYLAU_PARTNER_PICTURE_COST requests of the key's budget (10 by default); one served as
    kept costs 1."""

    renderer_classes = [SvgRenderer, JSONRenderer]

    @cached_property
    def cache_key(self) -> str:
        # The state of the count changes with every results file; the title is in the language asked.
        asked = repr(
            (
                self.kwargs["contest"],
                self.kwargs["picture"],
                self.request.query_params.get("district"),
                get_language(),
            )
        )
        digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
        return f"partner-picture:{state_key(data_state(self.election))}:{digest}"

    def request_cost(self, request) -> int:
        return 1 if cache.get(self.cache_key) is not None else settings.PARTNER_PICTURE_COST

    def get(self, request, *args, **kwargs):
        svg = cache.get(self.cache_key)
        if svg is None:
            svg = self.draw(request)
            cache.set(self.cache_key, svg, PICTURE_CACHE_SECONDS)
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def draw(self, request) -> str:
        draw = PICTURES.get(self.kwargs["picture"])
        contest = Contest.objects.filter(election=self.election, code=self.kwargs["contest"]).first()
        if draw is None or contest is None:
            raise exceptions.NotFound(_("No such contest or picture."))
        district = request.query_params.get("district")
        if district is not None and (
            not district.isdecimal() or not self.election.districts.filter(number=district).exists()
        ):
            raise exceptions.ValidationError(
                {"district": [_("Give the number of a district of this election.")]}
            )
        picture = picture_numbers(contest, int(district) if district else None)
        title = _("%(contest)s, %(where)s") % {
            "contest": contest.name,
            "where": _("district %(number)s") % {"number": district} if district else _("all districts"),
        }
        return draw(picture, title)
