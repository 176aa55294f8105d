"""Partners (media, missions, researchers) and their API keys.

A partner reads verified, redacted data through the partner API. A coordinator names the partner
and creates its keys; only the SHA-256 of a key is stored, the key itself is shown once.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    SCORES_READ = "scores:read", _("Scores")
    INCIDENTS_READ = "incidents:read", _("Incidents")
    PHOTOS_READ = "photos:read", _("Photos")
    EXPORTS_READ = "exports:read", _("Exports")


class Partner(models.Model):
    """A named reader of the partner API, registered by a coordinator of an organization."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organization = models.ForeignKey(
        "people.Organization",
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("registered by organization"),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class PartnerKeyQuerySet(models.QuerySet):
    def usable(self) -> "PartnerKeyQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PartnerKey(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="keys", verbose_name=_("partner")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
