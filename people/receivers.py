"""people's own receivers of model signals, connected in PeopleConfig.ready()."""

from django.contrib.auth import get_user_model

from people.services import token_revoke


def note_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a user is saved: whether the stored password hash is about to change.

    The hash itself is compared, so every path counts: the admin, the password change and reset
    views, `set_password()` or `set_unusable_password()` and a save, the management commands.
    A save that leaves out the password field (signing in writes `last_login`) costs no query.
    The same password hashed anew (Django upgrading the hash at sign-in, when a stronger hasher is
    configured) is no change.
    """
    instance._password_hash_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = (
        get_user_model()._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    )
    instance._password_hash_changed = (
        stored is not None and stored != instance.password and not hash_upgrade(instance, update_fields)
    )


def hash_upgrade(instance, update_fields) -> bool:
    """Django's own upgrade of a hash at sign-in (AbstractBaseUser.check_password): the password
    saved alone, still usable, with the raw password it was set from already forgotten — whereas
    set_password() keeps it until the save, as Django's password_changed signal relies on too."""
    return (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
        and instance.has_usable_password()
    )


def revoke_tokens_after_password_change(sender, instance, created=False, **kwargs) -> None:
    """A new password ends the sign-ins of the phones: whoever knew the old one keeps no token.

    Django re-hashing the same password at sign-in (a stronger hasher) does not count: nobody's
    phone is signed out for it.
    """
    if created or not getattr(instance, "_password_hash_changed", False):
        return
    instance._password_hash_changed = False
    for token in instance.observer_tokens.usable():
        token_revoke(token=token)
