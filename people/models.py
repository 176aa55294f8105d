"""Who may do what: organizations (the NGOs), their members and roles, observers' assignments to
stations, and the bearer tokens of observers' phones. Rights always come from the role held in the
organization of the row concerned."""

import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import photo_storage
from stations.models import PollingStation


class Organization(models.Model):
    """A civil-society group that recruits observers and reviews their reports."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    share_with_partners = models.BooleanField(
        _("share verified incidents with partners"),
        default=True,
        help_text=_("Verified, redacted incidents of this organization appear in the partner API."),
    )
    # Signs the formal complaints of observers who did not consent to sign them in their own name.
    representative_name = models.CharField(
        _("representative"),
        max_length=200,
        blank=True,
        help_text=_("Who signs the organization's formal complaints (name and position)."),
    )
    # Printed on every observer card: whom an observer calls when something goes wrong.
    hotline = models.CharField(
        _("hotline"),
        max_length=32,
        blank=True,
        help_text=_("The phone number printed on observers' cards."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OBSERVER = "observer", _("Observer")
    REVIEWER = "reviewer", _("Reviewer")
    COORDINATOR = "coordinator", _("Coordinator")


def accreditation_path(membership: "Membership", filename: str) -> str:
    return f"accreditations/{membership.organization_id}/{uuid.uuid4().hex}.jpg"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OBSERVER)
    roaming = models.BooleanField(
        _("roaming"),
        default=False,
        help_text=_("A roaming observer may report on any station of the districts of their assignments."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # An observer's name goes on a formal complaint only with this consent, recorded when given.
    complaint_consent_at = models.DateTimeField(
        _("consented to complaints in their name"),
        null=True,
        blank=True,
        help_text=_("When the observer agreed that formal complaints may be filed in their name."),
    )
    # The observer's own language: the one of their printed card, their messages and their page.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    accreditation_number = models.CharField(_("accreditation number"), max_length=64, blank=True)
    # A photo of the accreditation document, stored like evidence (private store, no metadata).
    accreditation_photo = models.FileField(
        _("accreditation document"),
        storage=photo_storage,
        upload_to=accreditation_path,
        max_length=200,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_per_organization"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"


class Assignment(models.Model):
    """An observer is expected at a station on election day."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="assignments")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership", "station__number"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["membership", "station"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} → {self.station}"


class ObserverTokenQuerySet(models.QuerySet):
    def usable(self) -> "ObserverTokenQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class ObserverToken(models.Model):
    """A bearer token for the observer's phone: its outbox keeps working when the session cookie expires.

    Only the SHA-256 of the key is stored; the key itself is shown once, to the phone that asked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observer_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ObserverTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("observer token")
        verbose_name_plural = _("observer tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class StaffProfile(models.Model):
    """What a member of staff chose for themselves. Without a time zone here, the admin and the
    dashboard show times in the time zone of the election at hand."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to see every time in the election's own time zone."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class SignInCodeQuerySet(models.QuerySet):
    def usable(self) -> "SignInCodeQuerySet":
        return self.filter(
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            membership__user__is_active=True,
        )


class SignInCode(models.Model):
    """A one-time code an observer signs in with instead of a password, handed out on a printed card.

    Only the SHA-256 of the code is stored: the code itself is shown once, to the coordinator who
    issued it. Issuing a new one revokes the earlier ones of the same membership.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="sign_in_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = SignInCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["membership", "-created_at"], name="sign_in_code_latest")]

    def __str__(self) -> str:
        return f"{self.membership.user} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash_code(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
