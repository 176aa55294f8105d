"""What every partner endpoint shares: the key, its scope and budget (with what each request
costs, and its export slots), cursor pages, CSV exports, and conditional GET for the lists that
change only when scores are published, and the lists under an election (its districts' filter)."""

import hashlib
from collections.abc import Callable
from functools import cached_property

import django_filters
from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, generics
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from partners import selectors
from partners.authentication import HasScope, PartnerKeyAuthentication
from partners.exports import csv_response
from partners.filters import WholeNumberFilter
from partners.models import Scope
from partners.throttling import PartnerKeyThrottle, SlotHeld, export_slot_take
from stations.models import District


class CsvRenderer(BaseRenderer):
    """Makes `?format=csv` (or Accept: text/csv) choose the streamed export; the exporting views
    write the CSV themselves, and errors are answered in JSON (PartnerView.finalize_response)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def cursor_pages(*fields: str) -> type[CursorPagination]:
    """Cursor pages in this order; the last field is unique, so no row is skipped or repeated."""
    return type(
        "PartnerCursorPagination",
        (CursorPagination,),
        {"ordering": fields, "page_size": 50, "page_size_query_param": "page_size", "max_page_size": 500},
    )


class PartnerView(generics.GenericAPIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [PartnerKeyThrottle]
    renderer_classes = [JSONRenderer]
    filter_backends = [DjangoFilterBackend]
    required_scope: str

    def request_cost(self, request) -> int:
        """What this request takes from the key's budget (partners.throttling): 1 unless dearer."""
        return 1

    def held_export(self, request, respond: Callable[[], StreamingHttpResponse]) -> StreamingHttpResponse:
        """A streamed export made while holding one of the key's export slots, freed when the
        response closes (or at once, if making it fails)."""
        release = export_slot_take(request.auth)
        try:
            response = respond()
            response.streaming_content = SlotHeld(response.streaming_content, release)
        except BaseException:
            release()
            raise
        return response

    def require_scope(self, request, scope: str) -> None:
        if not request.auth.has_scope(scope):
            raise exceptions.PermissionDenied(
                _("This key lacks the scope %(scope)s.") % {"scope": scope}, code="scope_missing"
            )

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with Django's Http404, which the API's error handler does
        # not translate; say it in the API's own terms instead.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.renderer_classes)
            raise exceptions.NotFound(
                _("This list comes in these formats only: %(formats)s.") % {"formats": formats}
            ) from None

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is always JSON in the API's one shape, even when a CSV was asked for.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class ExportableListView(PartnerView, generics.ListAPIView):
    """A cursor-paged JSON list that `?format=csv` streams whole as CSV; a CSV export also needs
    the key's exports:read scope."""

    renderer_classes = [JSONRenderer, CsvRenderer]
    export_name = "export"

    def is_export(self, request) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.is_export(request):
            self.require_scope(request, Scope.EXPORTS_READ)

    def request_cost(self, request) -> int:
        return settings.PARTNER_EXPORT_COST if self.is_export(request) else 1

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.is_export(request):
            return self.held_export(
                request, lambda: csv_response(self.csv_rows(queryset), f"{self.export_name}.csv")
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.page_data(page))

    def page_data(self, page) -> list:
        return self.get_serializer(page, many=True).data

    def csv_rows(self, queryset):
        raise NotImplementedError


class ConditionalMixin:
    """ETag and Last-Modified from `version()`, which one cheap query reads; a request whose
    If-None-Match or If-Modified-Since still holds gets 304 without the list being read."""

    def version(self) -> tuple[tuple, float | None]:
        raise NotImplementedError

    def dispatch_conditional(self, request, respond):
        parts, modified = self.version()
        seed = repr((parts, request.get_full_path(), request.accepted_media_type))
        etag = quote_etag(hashlib.sha256(seed.encode()).hexdigest()[:32])
        last_modified = int(modified) if modified is not None else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = respond()
        if 200 <= response.status_code < 400:
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
        return response


class DistrictCountsFilter(django_filters.FilterSet):
    district = WholeNumberFilter(
        field_name="number", help_text=gettext_lazy("District number: only its row.")
    )

    class Meta:
        model = District
        fields = ["district"]


# A list under /elections/<slug>/ (complaints.py, alerts.py), rendered from the dicts its `page_data`
# makes. (A comment: the OpenAPI description would take a docstring for its subclasses' own words.)
class ElectionListView(PartnerView, generics.ListAPIView):
    @cached_property
    def election(self):
        return selectors.election_get_for_partner(slug=self.kwargs["slug"])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.serializer_class(self.page_data(page), many=True).data)
