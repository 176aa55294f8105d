"""Messages, alerts and emergency contacts in the admin, for the staff of each organization only.

Reviewers and coordinators of an organization see its messages and alerts, and acknowledge and
resolve its alerts: whoever is watching on the day must be able to act. Coordinators alone write
messages and keep the emergency contacts. Another organization's row answers 404, like a missing
one (people/admin/mixins.py); superusers see everything. A message is never edited once sent: its
recipients and their receipts are what it was.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from outreach import selectors, services
from outreach.banner import SHOWN, open_alerts_for
from outreach.models import Alert, AlertDelivery, AlertStatus, EmergencyContact, Message
from people.admin.mixins import coordinated_organization_ids, organization_ids
from people.models import Membership, Organization, Role

# Who may open these pages follows the groups' permissions, which the admin has read already for
# its menu: every reviewer and coordinator may view reports, only coordinators see partners. Which
# rows, the organizations of the user's memberships, read on these pages only.
STAFF_PERMISSION = "reports.view_incidentreport"
COORDINATOR_PERMISSION = "partners.view_partner"


class StaffScopedAdmin(admin.ModelAdmin):
    """Rows of the organizations where the user is reviewer or coordinator; `coordinators_only`
    narrows it to those they coordinate."""

    coordinators_only = False

    def scope(self, request) -> set[int] | None:
        if not (request.user.is_active and request.user.is_staff):
            return set()
        return coordinated_organization_ids(request) if self.coordinators_only else organization_ids(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self.scope(request)
        return queryset if ids is None else queryset.filter(organization__in=ids)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request) -> bool:
        user = request.user
        permission = COORDINATOR_PERMISSION if self.coordinators_only else STAFF_PERMISSION
        return user.is_active and user.is_staff and user.has_perm(permission)

    def has_view_permission(self, request, obj=None) -> bool:
        # A row out of scope never reaches here: get_queryset leaves it out and get_object says 404.
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def organization_field(self, request, **kwargs):
        ids = coordinated_organization_ids(request)
        queryset = Organization.objects.all() if ids is None else Organization.objects.filter(pk__in=ids)
        return forms.ModelChoiceField(queryset=queryset, label=_("organization"), **kwargs)


# Messages ---------------------------------------------------------------------------------------


class MessageComposeForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ["organization", "subject", "body", "audience", "district", "stations", "people"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Membership.objects.filter(role=Role.OBSERVER).select_related("user")
        self.fields["district"].help_text = _("For a message to a district.")
        self.fields["stations"].help_text = _("For a message to chosen stations.")
        self.fields["people"].help_text = _("For a message to chosen observers.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.message_check(
                organization=data["organization"],
                subject=data["subject"],
                body=data["body"],
                audience=data["audience"],
                district=data.get("district"),
                stations=data.get("stations") or (),
                people=data.get("people") or (),
            )
        except ApplicationError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        return data


@admin.register(Message)
class MessageAdmin(StaffScopedAdmin):
    list_display = ["subject", "organization", "audience", "sent_at", "recipients", "received", "read"]
    list_filter = ["audience", "sent_at"]
    list_select_related = ["organization"]
    search_fields = ["subject", "body"]
    date_hierarchy = "sent_at"
    autocomplete_fields = ["district", "stations", "people"]
    readonly_fields = ["sent_at", "author", "recipients", "received", "read", "not_read"]

    def get_queryset(self, request):
        return selectors.messages_with_counts(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.has_perm(COORDINATOR_PERMISSION)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, form=MessageComposeForm, **kwargs)
        form.base_fields["organization"] = self.organization_field(request)
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return MessageComposeForm.Meta.fields
        return [
            "organization",
            "subject",
            "body",
            "audience",
            "district",
            "stations",
            "people",
            *self.readonly_fields,
        ]

    def save_form(self, request, form, change):
        # Sent through the service, which writes the delivery rows; the admin then logs the row.
        data = form.cleaned_data
        return services.message_send(
            organization=data["organization"],
            author=request.user,
            subject=data["subject"],
            body=data["body"],
            audience=data["audience"],
            district=data.get("district"),
            stations=data.get("stations") or (),
            people=data.get("people") or (),
        )

    def save_model(self, request, obj, form, change) -> None:
        """Stored by save_form already."""

    def save_related(self, request, form, formsets, change) -> None:
        """The stations and observers were stored with the message."""

    @admin.display(description=gettext_lazy("recipients"), ordering="recipients")
    def recipients(self, message: Message) -> int:
        return message.recipients

    @admin.display(description=gettext_lazy("received"), ordering="received")
    def received(self, message: Message) -> int:
        return message.received

    @admin.display(description=gettext_lazy("read"), ordering="read")
    def read(self, message: Message) -> int:
        return message.read

    @admin.display(description=gettext_lazy("not read yet by"))
    def not_read(self, message: Message) -> str:
        rows = [
            (m.user.get_full_name() or m.user.get_username(), m.phone or "—")
            for m in selectors.unread_by(message)
        ]
        if not rows:
            return _("Everyone has read it.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {}</li>", rows))


# Alerts -----------------------------------------------------------------------------------------


class AlertForm(forms.ModelForm):
    class Meta:
        model = Alert
        fields = ["acknowledgement_note", "resolution_note"]


class AlertDeliveryInline(admin.TabularInline):
    model = AlertDelivery
    fields = readonly_fields = ["contact", "channel", "attempts", "delivered_at", "last_error"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


OPEN_FIRST = Case(
    When(status=AlertStatus.OPEN, then=Value(0)),
    When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@admin.register(Alert)
class AlertAdmin(StaffScopedAdmin):
    form = AlertForm
    change_form_template = "admin/outreach/alert/change_form.html"
    list_display = ["at", "kind", "status", "observer", "phone", "station", "organization"]
    list_filter = ["status", "kind"]
    list_select_related = ["membership__user", "station", "organization"]
    search_fields = ["membership__user__username", "membership__user__last_name", "=station__number"]
    inlines = [AlertDeliveryInline]
    readonly_fields = [
        "organization",
        "observer",
        "phone",
        "station",
        "kind",
        "status",
        "at",
        "note",
        "position",
        "received_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
    ]

    def get_ordering(self, request):
        return [OPEN_FIRST.asc(), "-at"]

    def get_urls(self):
        opened = path("open/", self.admin_site.admin_view(self.open_alerts_view), name="outreach_alert_open")
        return [opened, *super().get_urls()]

    def open_alerts_view(self, request):
        """The banner of open alerts that every admin page shows (config/templates/admin/base_site.html):
        the user's organizations' only, empty for anyone else."""
        alerts = open_alerts_for(request.user)
        context = {"alerts": alerts[:SHOWN], "more": len(alerts) > SHOWN}
        # admin_view marks it never to be cached.
        return TemplateResponse(request, "admin/outreach/_open_alerts.html", context)

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields, "acknowledgement_note", "resolution_note"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == AlertStatus.RESOLVED:
            return [*self.readonly_fields, "acknowledgement_note", "resolution_note"]
        if obj is not None and obj.status == AlertStatus.ACKNOWLEDGED:
            return [*self.readonly_fields, "acknowledgement_note"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and (obj is None or obj.status != AlertStatus.RESOLVED)

    def save_model(self, request, obj, form, change) -> None:
        """Only the two buttons change an alert, through the services (changeform_view below)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            step = (
                "acknowledge"
                if "_acknowledge" in request.POST
                else "resolve"
                if "_resolve" in request.POST
                else ""
            )
            if step:
                return self._step(request, object_id, step)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _step(self, request, object_id, step: str):
        alert = self.get_object(request, object_id)
        if not self.has_change_permission(request, alert):
            raise Http404
        try:
            if step == "acknowledge":
                services.alert_acknowledge(
                    alert=alert, by=request.user, note=request.POST.get("acknowledgement_note", "")
                )
                self.message_user(request, _("The alert is acknowledged."), messages.SUCCESS)
            else:
                services.alert_resolve(
                    alert=alert, by=request.user, note=request.POST.get("resolution_note", "")
                )
                self.message_user(request, _("The alert is resolved."), messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_change(request, alert, [{"changed": {"fields": [step]}}])
        return HttpResponseRedirect(request.path)

    @admin.display(description=gettext_lazy("observer"), ordering="membership__user__last_name")
    def observer(self, alert: Alert) -> str:
        user = alert.membership.user
        return user.get_full_name() or user.get_username()

    @admin.display(description=gettext_lazy("phone"))
    def phone(self, alert: Alert) -> str:
        return alert.membership.phone or "—"

    @admin.display(description=gettext_lazy("position"))
    def position(self, alert: Alert) -> str:
        if alert.latitude is None:
            return "—"
        return format_html(
            '<a href="https://www.openstreetmap.org/?mlat={0}&amp;mlon={1}#map=17/{0}/{1}" '
            'rel="noopener noreferrer" target="_blank">{0}, {1}</a>',
            alert.latitude,
            alert.longitude,
        )


# Emergency contacts ------------------------------------------------------------------------------


class EmergencyContactForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=gettext_lazy("webhook URL"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = EmergencyContact
        fields = ["organization", "name", "email", "webhook_url", "webhook_secret", "active"]
        widgets = {"webhook_secret": forms.PasswordInput(render_value=True)}

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("webhook_url"):
            raise forms.ValidationError(_("Give an e-mail address, a webhook URL, or both."))
        if data.get("webhook_url") and not data.get("webhook_secret"):
            self.add_error("webhook_secret", _("A webhook needs a secret to sign its messages with."))
        return data


@admin.register(EmergencyContact)
class EmergencyContactAdmin(StaffScopedAdmin):
    coordinators_only = True
    form = EmergencyContactForm
    list_display = ["name", "organization", "email", "webhook_url", "active"]
    list_filter = ["active"]
    list_select_related = ["organization"]
    search_fields = ["name", "email"]

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["organization"] = self.organization_field(request)
        return form
