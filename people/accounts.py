"""Protection of sign-ins: lockout after repeated failures (django-axes) and optional two-factor
codes for staff (django-otp, TOTP), asked for wherever they sign in: the admin, the observer pages
and the API's token endpoint.

A coordinator's admin account opens the observers' names, so it is what an adversary guesses at.
"""

import ipaddress
import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

# --- Lockout ---------------------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, skipped when there is no request to tie an attempt to (the shell, `Client.login`).

    Every sign-in over the web passes its request: the admin, /observe/login/ and the API token view.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' count per name and address, and a second one per name alone at a higher limit.

    The pair keeps a guesser elsewhere from locking a coordinator out of their own laptop; the name
    alone slows a guesser who spreads their tries at one account over many addresses.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._account_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out and self._account_locked(request, credentials):
            # The failure that reaches the limit is already answered with the lockout, as for the pair.
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def _account_locked(self, request, credentials: dict | None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        failures = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return failures >= settings.LOGIN_USERNAME_FAILURE_LIMIT


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted against.

    Behind our proxy it is the last X-Forwarded-For entry: the one the proxy itself appended.
    Entries to its left come from the client and would let a guesser pose as a new address each time.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute, or ask your coordinator.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes, or ask your coordinator.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page a locked-out sign-in gets instead of the login form (AXES_LOCKOUT_CALLABLE)."""
    context = {"message": lockout_message()}
    if request.path.startswith(reverse("admin:index")):
        context = {**admin.site.each_context(request), **context, "title": _("Sign-in locked")}
        return render(request, "admin/locked_out.html", context, status=429)
    return render(request, "accounts/locked_out.html", context, status=429)


# --- Two-factor codes ------------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class AccountBackend(ModelBackend):
    """Django's backend, whose signed-in user also says whether they have a confirmed device.

    It comes in the same query as the user, so the admin's two-factor check costs no query per page.
    """

    def get_user(self, user_id):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        users = get_user_model()._default_manager.annotate(has_totp_device=Exists(devices))
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def has_confirmed_device(user) -> bool:
    known = getattr(user, "has_totp_device", None)
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() if known is None else known


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed, so a reload keeps the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_verify(*, device: TOTPDevice, code: str, confirm: bool = False) -> TOTPDevice | None:
    """The device if `code` is its current code; a code is accepted only once, and wrong ones slow it down."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        return None
    if confirm and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 - our own drawing, no user text


def totp_secret(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed in, in groups of four for reading."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        attrs = {"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        super().__init__(max_length=12, widget=forms.TextInput(attrs=attrs), **kwargs)

    def clean(self, value):
        code = re.sub(r"\s", "", super().clean(value))
        if code and not code.isdigit():
            raise forms.ValidationError(_("The code is 6 digits."), code="not_digits")
        return code


WRONG_CODE = _("The code is wrong or has expired. Wait for the next code in the app and try again.")


def authenticate_with_code(
    request, *, username: str, password: str, code: str = ""
) -> AbstractBaseUser | None:
    """The user if the password is right and, for a user with an authenticator app, the code too.

    A missing or wrong code is refused and counted towards the lockout like a wrong password, so no
    answer tells a guesser that they found the password.
    """
    user = authenticate(request, username=username, password=password)
    device = confirmed_device(user) if user is not None else None
    if device is None:
        return user
    code = re.sub(r"\s", "", code)
    verified = totp_verify(device=device, code=code) if code else None
    if verified is None:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        return None
    # django_otp's user_logged_in receiver marks the session as verified by this device.
    user.otp_device = verified
    return user


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the code of an authenticator app, checked together with the password."""

    code = CodeField(label=_("Two-factor code"), required=False)
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct %(username)s and password, and the code from your authenticator "
            "app if you turned on two-factor sign-in. Note that the fields may be case-sensitive."
        ),
    }

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        # A malformed code is refused by its field before any password is tried: that tells nothing.
        if username is None or not password or self.has_error("code"):
            return self.cleaned_data
        code = self.cleaned_data.get("code", "")
        self.user_cache = authenticate_with_code(
            self.request, username=username, password=password, code=code
        )
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminLoginForm(SignInForm, AdminAuthenticationForm):
    """The admin's login form: the code is checked with the password, and one answer is given for
    a wrong password, a missing code and a wrong code alike."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s and password for a staff account, and the code from "
            "your authenticator app if you turned on two-factor sign-in. Note that the fields may be "
            "case-sensitive."
        ),
    }


class EnrolForm(forms.Form):
    code = CodeField(label=_("Code shown in the app"))


def two_factor(request: HttpRequest) -> HttpResponse:
    """A staff user's two-factor status; while they have no device, enrolment of an authenticator app."""
    context = {**admin.site.each_context(request), "title": _("Two-factor sign-in")}
    if confirmed_device(request.user) is not None:
        return TemplateResponse(request, "admin/two_factor.html", {**context, "enrolled": True})
    device = pending_device(request.user)
    form = EnrolForm(request.POST or None)
    if form.is_valid():
        confirmed = totp_verify(device=device, code=form.cleaned_data["code"], confirm=True)
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, _("Two-factor sign-in is on. The admin will ask for a code each time."))
            return redirect("admin:index")
        form.add_error("code", WRONG_CODE)
    context.update(form=form, uri=device.config_url, secret=totp_secret(device), qr_svg=totp_qr_svg(device))
    return TemplateResponse(request, "admin/two_factor.html", context)


class StaffTwoFactorMiddleware:
    """Keeps staff out of the admin until the second factor is done.

    Every sign-in form asks for the code; a session that still lacks it (a device confirmed after
    the sign-in elsewhere) is signed out and sent to the admin's login. With REQUIRE_2FA_FOR_STAFF,
    a staff user without a device is sent to enrolment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._refusal(request) or self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not request.path.startswith(reverse("admin:index")):
            return None
        if request.path in (reverse("admin:login"), reverse("admin:logout")):
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff) or user.is_verified():
            return None
        if has_confirmed_device(user):
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        enrol = reverse("admin_two_factor")
        if settings.REQUIRE_2FA_FOR_STAFF and request.path != enrol:
            return redirect(enrol)
        return None
