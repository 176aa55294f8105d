"""Coordinators watch the webhooks of the partners their organization registered.

A coordinator sees the endpoints and deliveries of their own organization's partners only (another
organization's answer 404, like a missing one), may disable an endpoint and may queue a failed
delivery again. Nothing is edited by hand: partners register endpoints through the API, and the
outbox is written by the services. The signing secret is never shown here.

Who may open these pages follows who may see partners (the permission partners.view_partner,
which the Coordinator group holds); which rows, the organizations the user coordinates. Superusers
see everything.
"""

from django.contrib import admin, messages
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import ApplicationError
from people.admin.mixins import coordinated_organization_ids
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

VIEW_PARTNERS = "partners.view_partner"


class CoordinatorScopedAdmin(admin.ModelAdmin):
    organization_path = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = coordinated_organization_ids(request)
        return queryset if ids is None else queryset.filter(**{f"{self.organization_path}__in": ids})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request) -> bool:
        # From the permissions the request has already read: the admin asks on every page.
        return request.user.is_active and request.user.has_perm(VIEW_PARTNERS)

    def has_view_permission(self, request, obj=None) -> bool:
        # A row out of scope never reaches here: get_queryset leaves it out and get_object says 404.
        return self.has_module_permission(request)

    def has_coordinate_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CoordinatorScopedAdmin):
    organization_path = "partner__organization"
    list_display = [
        "url",
        "partner",
        "events_shown",
        "active",
        "consecutive_failures",
        "created_at",
        "disabled_at",
    ]
    list_filter = ["active"]
    list_select_related = ["partner"]
    search_fields = ["url", "partner__name"]
    fields = readonly_fields = [
        "partner",
        "url",
        "events",
        "active",
        "consecutive_failures",
        "created_at",
        "disabled_at",
    ]
    actions = ["disable_selected"]

    @admin.display(description=gettext_lazy("events"))
    def events_shown(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.action(description=gettext_lazy("Disable the selected endpoints"), permissions=["coordinate"])
    def disable_selected(self, request, queryset):
        count = 0
        for endpoint in queryset.filter(active=True):
            services.endpoint_disable(endpoint=endpoint)
            count += 1
        self.message_user(
            request,
            ngettext("%d endpoint disabled.", "%d endpoints disabled.", count) % count,
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CoordinatorScopedAdmin):
    organization_path = "endpoint__partner__organization"
    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint__partner"]
    search_fields = ["=event_id"]
    fields = readonly_fields = [
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "payload",
    ]
    actions = ["requeue_selected"]

    @admin.action(
        description=gettext_lazy("Send the selected failed deliveries again"), permissions=["coordinate"]
    )
    def requeue_selected(self, request, queryset):
        count = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED).select_related("endpoint"):
            try:
                services.delivery_requeue(delivery=delivery)
                count += 1
            except ApplicationError as exc:
                self.message_user(request, f"{delivery.event_id}: {exc.message}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count,
            messages.SUCCESS,
        )
        if not count and not queryset.filter(status=DeliveryStatus.FAILED).exists():
            self.message_user(request, _("Only failed deliveries can be queued again."), messages.WARNING)
