"""How the partner API describes itself in OpenAPI 3: the `extend_schema` arguments its views
wear, with examples, and the filter parameters read from their FilterSets.

Like api/schema.py, this changes nothing a view does; the schema tests compare it with the views.
"""

from django.conf import settings
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import add_trace_message
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from core.api_schema import RETRY_AFTER, errors
from partners import serializers as partners_io
from partners.filters import StationFilter


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return settings.SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]["securitySchemes"][self.name]


PARTNER_TAG = "partners"
SLUG = "majilis-2023-demo"
CSV_NOTE = (
    " `?format=csv` (or `Accept: text/csv`) streams every matching row as CSV instead, without pages;"
    " that needs the exports:read scope too."
)


class FilterSetParameters(DjangoFilterExtension):
    """django-filter's query parameters from the view's FilterSet alone. The stock extension asks
    the view for its queryset, which the partner views build from the request (the key's scopes,
    the election in the URL) that a schema has not got."""

    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        if filterset_class is None:
            return []
        model = filterset_class._meta.model
        with add_trace_message(filterset_class):
            return [
                parameter
                for name, field in filterset_class.base_filters.items()
                for parameter in self.resolve_filter_field(auto_schema, model, filterset_class, name, field)
            ]


def _path(name: str, kind, description: str, example) -> OpenApiParameter:
    return OpenApiParameter(
        name, kind, OpenApiParameter.PATH, description=description, examples=[OpenApiExample(name, example)]
    )


ELECTION = _path("slug", OpenApiTypes.STR, "The election's slug, as in /api/v1/elections/.", SLUG)
DISTRICT_NUMBER = _path("number", OpenApiTypes.INT, "The district's number within the election.", 7)
STATION_FILTERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.INT if name == "district" else OpenApiTypes.BOOL,
        OpenApiParameter.QUERY,
        description=str(field.extra.get("help_text", "")),
    )
    for name, field in StationFilter.base_filters.items()
]
DISTRICT_FILTER = OpenApiParameter(
    "district", OpenApiTypes.INT, OpenApiParameter.QUERY, description="District number: only its rows."
)
SVG_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["svg"],
    description="Optional: a picture only comes as SVG (errors come as JSON).",
)
FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["json", "csv"],
    description="csv streams the whole filtered list as CSV (needs exports:read); json is the default.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: 304 without a body while the list has not changed.",
)
CACHE_HEADERS = [
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="Changes only when scores are published or stations change.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="When the scores or stations last changed (absent before any).",
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified: the list is as the ETag in If-None-Match says.")
CSV = OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8, one row per item, with a header row.")

DISTRICT_EXAMPLE = {
    "number": 7,
    "name": "Almaty district 7",
    "region": "Almaty",
    "score": 72.4,
    "interval_80": [61.8, 83.9],
    "interval_95": [55.2, 88.0],
    "band": None,
    "band_range": ["B", "C"],
    "coverage_grade": "A",
    "observed_stations": 64,
    "sample_stations": 41,
    "total_stations": 362,
    "components": {
        "process": {
            "risk": 0.15,
            "interval_80": [0.09, 0.24],
            "explanation": "Verified ballot stuffing at 3 of 64 observed stations.",
        },
        "count": {"risk": 0.09, "interval_80": [0.03, 0.16], "explanation": None},
        "forensic": {
            "flags": 1.0,
            "penalty": 5.0,
            "explanation": "Turnout and leader share cluster near 95 %.",
        },
    },
    "computed_at": "2023-03-19T18:05:00Z",
}
STATION_EXAMPLE = {
    "number": "077-0412",
    "name": "School 12",
    "address": "Abai St. 14",
    "district": 7,
    "region": "Almaty",
    "in_sample": True,
    "registered_voters": 2140,
    "latitude": 43.2381,
    "longitude": 76.8897,
    "indicator": {"y": 1.0, "severity": 5, "incidents": 2},
}
PHOTO_LINK = "https://baqylau.example.org/api/v1/partner-photos/eyJwIjoiMGI1YTFjMmQ6In0:1q2w3e:4r5t6y/"
INCIDENT_EXAMPLE = {
    "id": "7f9d2c4b-3a1e-4b6f-8c2d-1e0f9a8b7c6d",
    "election": SLUG,
    "station": {"number": "077-0412", "district": 7, "region": "Almaty"},
    "category": "ballot_stuffing",
    "severity": 5,
    "phase": "voting",
    "occurred_at": "2023-03-19T05:40:00Z",
    "description": "A commission member put a stack of ballots into box 2.",
    "corroborations": 1,
    "updated_at": "2023-03-19T06:02:11Z",
    "photos": [
        {
            "id": "0b5a1c2d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
            "url": PHOTO_LINK,
            "thumbnail_url": PHOTO_LINK,
            "width": 1920,
            "height": 2560,
        }
    ],
}


ESTIMATE = {
    "estimate": 0.112,
    "standard_error": 0.006,
    "margin_95": 0.012,
    "margin_99": 0.015,
    "interval_95": [0.100, 0.124],
    "interval_99": [0.097, 0.127],
    "stations": 41,
    "population": 362,
}
COUNT_ESTIMATES_EXAMPLE = {
    "election": SLUG,
    "sample_used": True,
    "turnout_contest": "party_list",
    "national": {
        "official_turnout": 0.544,
        "observed_turnout": ESTIMATE,
        "official_turnout_outside_99": True,
    },
    "districts": [
        {
            "number": 7,
            "name": "Almaty district 7",
            "stations": 362,
            "official_turnout": 0.258,
            "observed_turnout": ESTIMATE,
            "official_turnout_outside_99": True,
            "turnout_shortfall": 0.566,
            "protocols_compared": 41,
            "protocols_differing": 3,
            "shares": [
                {
                    "contest": "party_list",
                    "choice": "amanat",
                    "official": 0.531,
                    "observed": {**ESTIMATE, "estimate": 0.447, "interval_95": [0.41, 0.484]},
                    "official_outside_99": True,
                }
            ],
        }
    ],
}
TEST_RESULT = {
    "ran": True,
    "n": 362,
    "statistic": 41.0,
    "z": 4.2,
    "p": 0.00001,
    "p_adjusted": 0.0003,
    "raw_flag": True,
    "flagged": True,
    "reason": None,
    "note": "",
}
FORENSICS_EXAMPLE = {
    "election": SLUG,
    "contests": [
        {
            "contest": "party_list",
            "name": "Party list",
            "leader": "amanat",
            "seed": 2023,
            "run_at": "2023-03-21T09:00:00Z",
            "results_file": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "districts": [
                {
                    "district": 7,
                    "name": "Almaty district 7",
                    "stations": 362,
                    "F": 1.0,
                    "integer": TEST_RESULT,
                }
            ],
            "national": {"district": "national", "name": "National", "stations": 10146, "F": 1.0},
        }
    ],
}


def response_example(name: str, value) -> OpenApiExample:
    """An example of a 200 answer's JSON body."""
    return OpenApiExample(name, value=value, response_only=True, status_codes=[200])


def json_errors(*statuses: int) -> dict:
    """Errors are JSON even where a CSV was asked for."""
    return {(status, "application/json"): response for status, response in errors(*statuses).items()}


def partner_list(
    serializer,
    *,
    summary: str,
    example,
    csv: bool = True,
    conditional: bool = False,
    filtered: bool = False,
    **extra,
):
    """A cursor-paged partner list (and its CSV export, when it has one). A cursor that was not
    given by the API is 404, like a missing election; a malformed filter is 400."""
    responses = {(200, "application/json"): serializer(many=True)}
    parameters = list(extra.pop("parameters", []))
    if csv:
        responses[(200, "text/csv")] = CSV
        parameters.append(FORMAT)
    if conditional:
        responses[304] = NOT_MODIFIED
        parameters += [IF_NONE_MATCH, *CACHE_HEADERS]
    statuses = (400, 401, 403, 404, 429) if filtered else (401, 403, 404, 429)
    return extend_schema(
        tags=[PARTNER_TAG],
        summary=summary,
        parameters=[*parameters, RETRY_AFTER],
        responses={**responses, **json_errors(*statuses)},
        examples=[response_example("A page", example)],
        **extra,
    )


ELECTIONS = partner_list(
    partners_io.ElectionOutput,
    summary="Elections partners can read (scores:read)",
    description="Newest first.",
    example={"slug": SLUG, "name": "Majilis 2023 (demo)", "date": "2023-03-19", "timezone": "Asia/Almaty"},
    csv=False,
)
DISTRICTS = partner_list(
    partners_io.DistrictOutput,
    summary="Districts with their integrity scores (scores:read)",
    description=(
        "Every district of the election by number, with its current score, intervals, band, coverage and the "
        "three parts of the score; a district not scored, or with too few observed stations, has null score "
        "parts and coverage `insufficient`." + CSV_NOTE
    ),
    example=DISTRICT_EXAMPLE,
    conditional=True,
    parameters=[ELECTION],
)
DISTRICT = extend_schema(
    tags=[PARTNER_TAG],
    summary="One district with its integrity score (scores:read)",
    parameters=[ELECTION, DISTRICT_NUMBER, IF_NONE_MATCH, *CACHE_HEADERS, RETRY_AFTER],
    responses={200: partners_io.DistrictOutput, 304: NOT_MODIFIED, **errors(401, 403, 404, 429)},
    examples=[response_example("A district", DISTRICT_EXAMPLE)],
)
STATIONS = partner_list(
    partners_io.StationOutput,
    summary="Polling stations with their indicators (scores:read)",
    description="The election's stations by number; nothing about observers." + CSV_NOTE,
    example=STATION_EXAMPLE,
    conditional=True,
    filtered=True,
    parameters=[ELECTION],
)
STATIONS_GEOJSON = extend_schema(
    tags=[PARTNER_TAG],
    summary="Polling stations as GeoJSON (scores:read and exports:read)",
    description=(
        "A FeatureCollection of the stations (filtered like the stations list), each with the station's "
        "fields as properties; a station without a published position has a null geometry."
    ),
    parameters=[ELECTION, *STATION_FILTERS, IF_NONE_MATCH, *CACHE_HEADERS, RETRY_AFTER],
    responses={
        (200, "application/geo+json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection."
        ),
        304: NOT_MODIFIED,
        **errors(400, 401, 403, 404, 429),
    },
    examples=[
        OpenApiExample(
            "Stations",
            value={
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [76.8897, 43.2381]},
                        "properties": STATION_EXAMPLE,
                    }
                ],
            },
            media_type="application/geo+json",
            response_only=True,
            status_codes=[200],
        )
    ],
)
INCIDENTS = partner_list(
    partners_io.IncidentOutput,
    summary="Verified incidents, redacted (incidents:read; photos with photos:read)",
    description=(
        "Verified reports of the organizations that share them, newest first: never an observer's identity, "
        "contact or position, a review note, or a report that is not verified. `photos` holds signed links "
        "that work without the key for a few minutes, and is empty unless the key has photos:read. "
        "Poll with `since` set to the newest `updated_at` seen." + CSV_NOTE
    ),
    example=INCIDENT_EXAMPLE,
    filtered=True,
)
PHOTO = extend_schema(
    tags=[PARTNER_TAG],
    summary="A photo of a shared incident, by its signed link",
    description=(
        "No key needed: the link from the incidents list is the proof. It expires after "
        "BAQYLAU_PARTNER_PHOTO_URL_SECONDS (410); a link that was altered, or whose report is no longer "
        "verified or shared, is 404. The JPEG carries no metadata."
    ),
    parameters=[
        _path("token", OpenApiTypes.STR, "The signed token of a link from the incidents list.", "eyJwIjoi…")
    ],
    responses={
        (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The photo."),
        **errors(404, 410),
    },
)
