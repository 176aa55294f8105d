"""Abstract models the apps share. core is no installed app: nothing here has a table of its own."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredPhoto(models.Model):
    """A photo as stored (core/photos.py): re-encoded without any metadata, the received original
    never kept. Each app's photo adds what it belongs to, its image and thumbnail (stored under its
    own path) and its Meta."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    # The evidence seal: SHA-256 of exactly the bytes the phone sent.
    sha256 = models.CharField(_("SHA-256 as received"), max_length=64, db_index=True)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)

    class Meta:
        abstract = True
