"""The memberships admin's onboarding tools: importing observers from the coordinator's list, and
issuing sign-in codes with their printable cards.

Both are a coordinator's, in the organizations they coordinate: a reviewer gets 403, and another
organization's observers are not in reach (their rows are not listed, their codes not found).
The codes are shown once, on the page that issues them; the cards are drawn from the codes that
page posts back, checked against the stored hashes, so no plain code is ever stored. Like every
admin page, both answers carry Cache-Control: no-store (the admin's never_cache).
"""

from dataclasses import asdict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import NotFound
from people.admin.imports import import_file_view
from people.admin.mixins import permitted_organization_ids
from people.cards import cards_for, cards_pdf
from people.codes import IssuedCode, codes_issue, normalize_code
from people.models import Organization, Role, SignInCode
from people.onboarding import observers_import
from people.selectors import scoped_for_staff
from stations.models import Election

# The most cards one download draws: a national mission's largest organization, with room to spare.
CARDS_MAX = 5000


class ObserverImportForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), queryset=Organization.objects.none()
    )
    election = forms.ModelChoiceField(
        label=gettext_lazy("Election"),
        queryset=Election.objects.all(),
        required=False,
        help_text=gettext_lazy("The election whose station numbers the file lists."),
    )
    file = forms.FileField(
        label=gettext_lazy("Observers (CSV in UTF-8, or Excel .xlsx)"),
        help_text=gettext_lazy(
            "Columns: full_name, phone, email, language (kk, ru or en), stations (numbers separated by "
            "spaces), roaming (yes or no)."
        ),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0]
        self.fields["election"].initial = Election.objects.order_by("-date", "-pk").first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.STATION_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload


class OnboardingAdminMixin:
    """For MembershipAdmin: the import page, the codes action and the cards download."""

    change_list_template = "admin/people/membership/change_list.html"
    actions = ["issue_sign_in_codes"]

    def get_urls(self):
        extra = [
            path(
                "import-observers/",
                self.admin_site.admin_view(self.import_observers_view),
                name="people_membership_import_observers",
            ),
            path(
                "sign-in-cards/",
                self.admin_site.admin_view(require_POST(self.cards_view)),
                name="people_membership_cards",
            ),
        ]
        return [*extra, *super().get_urls()]

    def importable_organizations(self, request):
        if not request.user.has_perm("people.add_membership"):
            return Organization.objects.none()
        return scoped_for_staff(Organization.objects.all(), request.user, "pk", "people.add_membership")

    def import_observers_view(self, request):
        organizations = self.importable_organizations(request)
        if not organizations.exists():
            raise PermissionDenied
        form = ObserverImportForm(request.POST or None, request.FILES or None, organizations=organizations)
        return import_file_view(
            self,
            request,
            form,
            run=observers_import,
            refused=_("Only a coordinator of this organization can import its observers."),
            done=lambda result: (
                _(
                    "%(rows)d observers read: %(created)d created, %(updated)d updated; %(assigned)d "
                    "station assignments added, %(unassigned)d removed. Issue their sign-in codes next."
                )
                % asdict(result)
            ),
            redirect_to="admin:people_membership_changelist",
            title=_("Import observers"),
            template="admin/people/membership/import_observers.html",
        )

    @admin.action(description=gettext_lazy("Issue sign-in codes"), permissions=["change"])
    def issue_sign_in_codes(self, request, queryset):
        ids = permitted_organization_ids(request, "people.change_membership")
        if ids is not None:
            queryset = queryset.filter(organization__in=ids)
        queryset = queryset.filter(role=Role.OBSERVER)
        if not queryset.exists():
            message = _("None of the selected people is an observer of an organization you coordinate.")
            self.message_user(request, message, messages.WARNING)
            return None
        context = {**self.admin_site.each_context(request), "opts": self.opts}
        if request.POST.get("confirmed") != "yes":
            context.update(
                title=_("Issue sign-in codes"),
                memberships=queryset.select_related("user", "organization"),
                selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            )
            return TemplateResponse(request, "admin/people/membership/issue_codes.html", context)
        try:
            issued = codes_issue(
                memberships=queryset, by=request.user, revoke_tokens=request.POST.get("revoke_tokens") == "on"
            )
        except NotFound:
            self.message_user(
                request, _("Only a coordinator of their organization can issue codes."), messages.ERROR
            )
            return None
        context.update(
            title=_("Sign-in codes issued"),
            issued=issued,
            codes=" ".join(item.code for item in issued),
            revoked_tokens=request.POST.get("revoke_tokens") == "on",
        )
        return TemplateResponse(request, "admin/people/membership/codes_issued.html", context)

    def cards_view(self, request):
        """The cards PDF of codes just issued, posted back by the page that showed them."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        codes = list(dict.fromkeys(filter(None, map(normalize_code, request.POST.get("codes", "").split()))))
        issued = self.issued_codes(request, codes[: CARDS_MAX + 1])
        if not codes or len(codes) > CARDS_MAX or issued is None:
            message = _(
                "These codes can no longer be printed: one of them was used, replaced or has expired. "
                "Issue new codes for these observers."
            )
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        login_url = request.build_absolute_uri(reverse("observe:login"))
        response = HttpResponse(
            cards_pdf(cards_for(issued), login_url=login_url), content_type="application/pdf"
        )
        response["Content-Disposition"] = 'attachment; filename="sign-in-cards.pdf"'
        return response

    def issued_codes(self, request, codes: list[str]) -> list[IssuedCode] | None:
        """The posted codes as issued, if each is a usable code of an observer the user coordinates."""
        rows = SignInCode.objects.usable().filter(
            code_hash__in=[SignInCode.hash_code(code) for code in codes]
        )
        ids = permitted_organization_ids(request, "people.change_membership")
        if ids is not None:
            rows = rows.filter(membership__organization__in=ids)
        found = {
            row.code_hash: row for row in rows.select_related("membership__user", "membership__organization")
        }
        if len(found) != len(codes):
            return None
        return [
            IssuedCode(row.membership, code, row)
            for code in codes
            for row in [found[SignInCode.hash_code(code)]]
        ]
