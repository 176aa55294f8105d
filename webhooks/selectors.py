"""A partner's own endpoints; another partner's endpoint is as missing as no endpoint at all."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from partners.models import Partner
from webhooks.models import WebhookEndpoint


def endpoints_for_partner(partner: Partner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner=partner).order_by("created_at", "id")


# The largest id a 64-bit key column holds; a longer number in a URL is simply not found.
MAX_ID = 2**63 - 1


def endpoint_get_for_partner(*, partner: Partner, endpoint_id: int) -> WebhookEndpoint:
    endpoint = None
    if 0 < endpoint_id <= MAX_ID:
        endpoint = endpoints_for_partner(partner).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("No such webhook endpoint."))
    return endpoint
