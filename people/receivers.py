"""people's own receivers of model signals, connected in PeopleConfig.ready()."""

from django.contrib.auth import get_user_model

from people.services import token_revoke


def note_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a user is saved: whether the stored password hash is about to change.

    The hash itself is compared, so every path counts: the admin, the password change and reset
    views, `set_password()` or `set_unusable_password()` and a save, the management commands.
    A save that leaves out the password field (signing in writes `last_login`) costs no query.
    """
    instance._password_hash_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = (
        get_user_model()._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    )
    instance._password_hash_changed = stored is not None and stored != instance.password


def revoke_tokens_after_password_change(sender, instance, created=False, **kwargs) -> None:
    """A new password ends the sign-ins of the phones: whoever knew the old one keeps no token.

    Django re-hashing a password at sign-in (a stronger hasher) also counts: that phone gets its new
    token right away, and the user's other phones sign in again, with their outboxes kept.
    """
    if created or not getattr(instance, "_password_hash_changed", False):
        return
    instance._password_hash_changed = False
    for token in instance.observer_tokens.usable():
        token_revoke(token=token)
