"""Moving a model to another app keeps what hangs on its content type: the permissions granted to
groups and users, and the admin's history. Used by the migrations that move models."""


def move_content_types(apps, old_label: str, new_label: str, models: list[str]) -> None:
    """Give the models' content types the new app label. Where both exist (a migrate that stopped
    half-way, after which post_migrate made the new ones), the old one's grants and history move to
    the new one and the old one goes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        _merge(apps, old, new)


def _merge(apps, old, new) -> None:
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for permission in Permission.objects.filter(content_type=old):
        twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if twin is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        for group in permission.group_set.all():
            group.permissions.add(twin)
        for user in permission.user_set.all():
            user.user_permissions.add(twin)
        permission.delete()
    LogEntry.objects.filter(content_type=old).update(content_type=new)
    old.delete()


def content_types_mover(old_label: str, new_label: str, models: list[str]):
    """A RunPython pair: forwards to the new label, backwards to the old one."""

    def forwards(apps, schema_editor):
        move_content_types(apps, old_label, new_label, models)

    def backwards(apps, schema_editor):
        move_content_types(apps, new_label, old_label, models)

    return forwards, backwards
