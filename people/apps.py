from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and organizations")

    def ready(self) -> None:
        # After every migrate, so that new permissions reach the staff groups in every deployment.
        post_migrate.connect(groups_after_migrate, dispatch_uid="people.ensure_groups")
        # A new password revokes the user's observer tokens, whichever way it was set.
        from people import receivers

        user = settings.AUTH_USER_MODEL
        pre_save.connect(receivers.note_password_change, sender=user, dispatch_uid="people.password_hash")
        post_save.connect(
            receivers.revoke_tokens_after_password_change, sender=user, dispatch_uid="people.password_tokens"
        )


def groups_after_migrate(sender, **kwargs) -> None:
    """Keep the staff groups in step once the last app's permissions exist (post_migrate is sent
    app by app, in INSTALLED_APPS order, for the apps that have models)."""
    from people.roles import ensure_groups

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        ensure_groups()
