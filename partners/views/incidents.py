"""Verified incidents, redacted for partners (incidents:read), and their photos by signed link."""

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import extend_schema_view
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from partners import exports, selectors
from partners import schema as partner_schema
from partners import serializers as io
from partners.authentication import key_scopes
from partners.filters import IncidentFilter
from partners.models import Scope
from partners.photos import photo_token_read
from partners.views.base import ExportableListView, cursor_pages


@extend_schema_view(get=partner_schema.INCIDENTS)
class IncidentListView(ExportableListView):
    """Verified incidents of the organizations that share them with partners, newest first.

    Never an observer's identity or contact, an exact position, a review note, or a report that
    is not verified. Photos come as short-lived signed links, only for a key with photos:read;
    without it `photos` is an empty list. The CSV export has no photo column.
    """

    required_scope = Scope.INCIDENTS_READ
    serializer_class = io.IncidentOutput
    filterset_class = IncidentFilter
    pagination_class = cursor_pages("-occurred_at", "-id")
    export_name = "incidents"

    def with_photos(self) -> bool:
        return Scope.PHOTOS_READ in key_scopes(self.request) and not self.is_export(self.request)

    def get_queryset(self):
        return selectors.incidents_for_partners(with_photos=self.with_photos())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_photos": self.with_photos()}

    def csv_rows(self, queryset):
        return exports.incident_rows(queryset.order_by("-occurred_at", "-id"))


@extend_schema_view(get=partner_schema.PHOTO)
class PhotoView(APIView):
    """A photo of a shared incident, stripped of all metadata, by the signed link the incidents
    list gave. No key is needed: the link is the proof, and it expires (410) after
    PARTNER_PHOTO_URL_MAX_AGE seconds; a link that was altered, or whose report is no longer
    verified or shared, is 404."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()
    renderer_classes = (JSONRenderer,)

    def get(self, request, token: str):
        photo_id, size = photo_token_read(token)
        photo = selectors.photo_get_for_partner(photo_id=photo_id)
        try:
            handle = getattr(photo, size).open("rb")
        except FileNotFoundError:
            raise exceptions.NotFound() from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = f"private, max-age={settings.PARTNER_PHOTO_URL_MAX_AGE}"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="{photo.id}.jpg"'
        return response
