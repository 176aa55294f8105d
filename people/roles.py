"""Staff groups and exactly what each may do in the admin.

Permissions say what kind of row a user may touch; which rows is decided by their organization
memberships (people.selectors.scoped_for_staff). The groups are kept in step after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

STATION_MODELS = ("election", "region", "district", "pollingstation")
OBSERVATION_MODELS = ("incidentreport", "reportphoto", "reportevent", "checkin")
PEOPLE_MODELS = ("organization", "membership", "assignment")
COUNT_MODELS = (
    "contest",
    "choice",
    "resultbatch",
    "officialresult",
    "protocolcopy",
    "protocolevent",
    "turnoutcount",
)

REVIEWER = [
    *[("stations", f"view_{model}") for model in (*STATION_MODELS, "stationimport")],
    *[("reports", f"view_{model}") for model in OBSERVATION_MODELS],
    *[("people", f"view_{model}") for model in PEOPLE_MODELS],
    ("reports", "review_incidentreport"),
    *[("counts", f"view_{model}") for model in COUNT_MODELS],
    ("counts", "review_protocolcopy"),
]
COORDINATOR = [
    *REVIEWER,
    *[("stations", f"{action}_{model}") for model in STATION_MODELS for action in ("add", "change")],
    ("stations", "view_sampledraw"),
    ("stations", "draw_sample"),
    ("reports", "reopen_incidentreport"),
    ("reports", "export_incidentreport"),
    *[
        ("people", f"{action}_{model}")
        for model in ("membership", "assignment")
        for action in ("add", "change", "delete")
    ],
    ("people", "view_observertoken"),
    ("people", "change_observertoken"),
    # Partners of their organizations and their API keys (partners.admin); keys are revoked, not deleted.
    *[
        ("partners", f"{action}_{model}")
        for model in ("partner", "partnerkey")
        for action in ("view", "add", "change")
    ],
    *[
        ("counts", f"{action}_{model}")
        for model in ("contest", "choice")
        for action in ("add", "change", "delete")
    ],
    ("counts", "add_resultbatch"),
    ("counts", "reopen_protocolcopy"),
]
GROUP_PERMISSIONS = {"Reviewer": REVIEWER, "Coordinator": COORDINATOR}


def ensure_groups(**kwargs) -> dict[str, Group]:
    """Create the staff groups with exactly their permissions; running it again changes nothing.

    Permissions of models that do not exist yet (a migration still to come) are skipped.
    """
    groups = {}
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        match = Q(pk__in=[])
        for app, codename in wanted:
            match |= Q(content_type__app_label=app, codename=codename)
        group.permissions.set(Permission.objects.filter(match))
        groups[name] = group
    return groups
