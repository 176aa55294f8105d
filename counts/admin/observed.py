from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError, NotFound
from core.storage import evidence_image
from counts.arithmetic import RULES
from counts.comparison import COMPARED, differences
from counts.models import OfficialResult, ProtocolAction, ProtocolCopy, TurnoutCount
from counts.review import REVIEWABLE, REVIEWED, protocol_review
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, ReadOnlyAdmin

FIELD_LABELS = {
    "registered": gettext_lazy("registered voters"),
    "issued": gettext_lazy("ballots issued"),
    "in_boxes": gettext_lazy("ballots in the boxes"),
    "invalid": gettext_lazy("invalid ballots"),
    "valid": gettext_lazy("valid ballots"),
}


def official_for(protocol: ProtocolCopy) -> OfficialResult | None:
    return OfficialResult.objects.current().filter(contest=protocol.contest, station=protocol.station).first()


def side_by_side(protocol: ProtocolCopy, official: OfficialResult | None) -> list[dict]:
    """Each number of the copy beside the official one, differing lines marked."""
    names = dict(protocol.contest.choices.values_list("code", "name"))
    official_values = {field: getattr(official, column) for field, column in COMPARED} if official else {}
    lines = [
        {
            "label": FIELD_LABELS[field],
            "observed": getattr(protocol, field),
            "official": official_values.get(field),
        }
        for field, _column in COMPARED
    ]
    codes = sorted(set(protocol.votes) | set(official.votes if official else {}))
    lines += [
        {
            "label": names.get(code, code),
            "observed": protocol.votes.get(code, 0),
            "official": official.votes.get(code, 0) if official else None,
        }
        for code in codes
    ]
    for line in lines:
        line["differs"] = line["official"] is not None and line["observed"] != line["official"]
    return lines


@admin.register(ProtocolCopy)
class ProtocolCopyAdmin(OrganizationScopedAdmin, ReadOnlyAdmin):
    list_display = ["station", "district", "contest", "status", "arithmetic", "thumbnail", "received_at"]
    list_filter = [
        "election",
        "contest",
        "status",
        "station__district",
        ("organization", OrganizationFilter),
    ]
    search_fields = ["=station__number"]
    search_help_text = gettext_lazy("A station number.")
    list_select_related = ["station", "station__district", "contest"]
    ordering = ["-received_at"]
    show_full_result_count = False
    change_form_template = "admin/counts/protocolcopy/change_form.html"
    # The photo is shown through the scoped view above, never by its storage path.
    fields = [
        "election",
        "station",
        "contest",
        "observer",
        "organization",
        "status",
        "note",
        "captured_at",
        "received_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<uuid:object_id>/review/",
                view(require_POST(self.review_view)),
                name="counts_protocolcopy_review",
            ),
            path(
                "<uuid:object_id>/photo/",
                view(require_GET(self.photo_view)),
                name="counts_protocolcopy_photo",
            ),
            path(
                "<uuid:object_id>/thumbnail/",
                view(require_GET(self.photo_view)),
                {"field": "thumbnail"},
                name="counts_protocolcopy_thumbnail",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("district"), ordering="station__district__number")
    def district(self, protocol):
        return protocol.station.district

    @admin.display(description=gettext_lazy("adds up"))
    def arithmetic(self, protocol):
        if not protocol.failures:
            return "✓"
        return format_html(
            '<span title="{}">✗ {}</span>',
            " ".join(str(RULES[c]) for c in protocol.failures),
            len(protocol.failures),
        )

    @admin.display(description=gettext_lazy("photo"))
    def thumbnail(self, protocol):
        url = reverse("admin:counts_protocolcopy_thumbnail", args=[protocol.pk])
        return format_html('<img src="{}" alt="{}" loading="lazy" height="40">', url, _("protocol"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        protocol = self.get_object(request, object_id)
        official = official_for(protocol)
        context = {
            "protocol": protocol,
            "official": official,
            "lines": side_by_side(protocol, official),
            "differs": bool(official and differences(protocol_values(protocol), official_values(official))),
            "broken_rules": [RULES[code] for code in protocol.failures if code in RULES],
            "events": protocol.events.select_related("actor"),
            # The role held in the copy's organization decides, not the groups alone.
            "can_review": protocol.status in REVIEWABLE
            and self.role_permits(request, "counts.review_protocolcopy", protocol),
            "can_reopen": protocol.status in REVIEWED
            and self.role_permits(request, "counts.reopen_protocolcopy", protocol),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def review_view(self, request, object_id):
        protocol = self.get_object(request, object_id)
        action = request.POST.get("action", "")
        needed = (
            "counts.reopen_protocolcopy" if action == ProtocolAction.REOPEN else "counts.review_protocolcopy"
        )
        if action not in ProtocolAction.values:
            messages.error(request, _("Choose verify, reject or reopen."))
        elif not self.role_permits(request, needed, protocol):
            raise PermissionDenied
        else:
            try:
                version = int(request.POST.get("version", ""))
            except ValueError:
                version = None
            try:
                protocol_review(
                    protocol=protocol,
                    by=request.user,
                    action=action,
                    note=request.POST.get("note", ""),
                    expected_version=version,
                )
            except NotFound:
                raise Http404 from None
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The protocol copy is now %(status)s.") % {"status": ProtocolAction(action).label},
                )
        return redirect(reverse("admin:counts_protocolcopy_change", args=[protocol.pk]))

    def photo_view(self, request, object_id, field="image"):
        protocol = self.get_object(request, object_id)
        return evidence_image(getattr(protocol, field), str(protocol.pk))


def protocol_values(protocol: ProtocolCopy) -> dict:
    return {**{field: getattr(protocol, field) for field, _column in COMPARED}, "votes": protocol.votes}


def official_values(official: OfficialResult) -> dict:
    return {**{column: getattr(official, column) for _field, column in COMPARED}, "votes": official.votes}


@admin.register(TurnoutCount)
class TurnoutCountAdmin(OrganizationScopedAdmin, ReadOnlyAdmin):
    list_display = ["station", "counted_at", "voters", "method", "observer", "received_at"]
    list_filter = ["election", "method", "station__district", ("organization", OrganizationFilter)]
    search_fields = ["=station__number"]
    search_help_text = gettext_lazy("A station number.")
    list_select_related = ["station", "observer"]
    ordering = ["-counted_at"]
    show_full_result_count = False
