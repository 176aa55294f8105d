"""Staff groups and what each may do in the admin.

Reviewers read the registry; coordinators also maintain it (import stations, fix a district).
"""

from django.contrib.auth.models import Group, Permission

STATION_MODELS = ("election", "region", "district", "pollingstation")
GROUP_PERMISSIONS = {
    "Reviewer": [("stations", f"view_{model}") for model in (*STATION_MODELS, "stationimport")],
    "Coordinator": [
        *[
            ("stations", f"{action}_{model}")
            for model in STATION_MODELS
            for action in ("view", "add", "change")
        ],
        ("stations", "view_stationimport"),
    ],
}


def ensure_groups() -> dict[str, Group]:
    """Create the staff groups with exactly their permissions; running it again changes nothing."""
    groups = {}
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted
        ]
        group.permissions.set(permissions)
        groups[name] = group
    return groups
