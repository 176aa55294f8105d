"""Staff groups and exactly what each may do in the admin.

Two kinds of right. The shared election data (elections, stations, contests and their choices,
official results, the random sample) feeds every organization's scores and what partners read:
only election administrators change it, a permission held through its own group and independent
of any organization. Everything else belongs to an organization, and there a permission counts
only where the user's role in the row's organization grants it too (ROLE_GROUPS): a reviewer of
one organization who coordinates another reviews in the first and coordinates in the second.
Which rows a user sees at all is decided by their memberships (people.selectors.scoped_for_staff).
The groups are kept in step after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from people.models import Role

STATION_MODELS = ("election", "region", "district", "pollingstation")
OBSERVATION_MODELS = ("incidentreport", "reportphoto", "reportevent", "checkin")
PEOPLE_MODELS = ("organization", "membership", "assignment")
CHECKLIST_DRAFT_MODELS = ("checklist", "section", "question", "choice", "consistencyrule")
CHECKLIST_MODELS = (
    *CHECKLIST_DRAFT_MODELS,
    "checklistversion",
    "submission",
    "submissionphoto",
    "criticalanswer",
)
COMPLAINT_MODELS = ("complainttemplate", "complaint", "complaintevent", "complaintpack")
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
    *[("checklists", f"view_{model}") for model in CHECKLIST_MODELS],
    # Reviewers draft complaints from the reports they verified and edit them until filed.
    *[("complaints", f"view_{model}") for model in COMPLAINT_MODELS],
    ("complaints", "add_complaint"),
    ("complaints", "change_complaint"),
]
# Coordinators read the shared election data (REVIEWER's view rights) but do not change it.
COORDINATOR = [
    *REVIEWER,
    ("stations", "view_sampledraw"),
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
    ("counts", "reopen_protocolcopy"),
    # Their organizations' checklists: built, published and cloned by coordinators.
    *[
        ("checklists", f"{action}_{model}")
        for model in CHECKLIST_DRAFT_MODELS
        for action in ("add", "change", "delete")
    ],
    ("checklists", "publish_checklist"),
    # Their organizations' complaint templates, and the filing of complaints and their answers.
    *[("complaints", f"{action}_complainttemplate") for action in ("add", "change", "delete")],
    ("complaints", "file_complaint"),
]
ELECTION_ADMINISTRATOR = [
    *[("stations", f"{action}_{model}") for model in STATION_MODELS for action in ("view", "add", "change")],
    *[("stations", f"view_{model}") for model in ("stationimport", "sampledraw")],
    ("stations", "draw_sample"),
    *[
        ("counts", f"{action}_{model}")
        for model in ("contest", "choice")
        for action in ("view", "add", "change", "delete")
    ],
    ("counts", "view_resultbatch"),
    ("counts", "add_resultbatch"),
    ("counts", "view_officialresult"),
]
GROUP_PERMISSIONS = {
    "Reviewer": REVIEWER,
    "Coordinator": COORDINATOR,
    "Election administrator": ELECTION_ADMINISTRATOR,
}
# What each staff role may do in the rows of its own organization.
ROLE_GROUPS = {Role.REVIEWER: "Reviewer", Role.COORDINATOR: "Coordinator"}
_ROLE_GRANTS = {
    role: {f"{app}.{codename}" for app, codename in GROUP_PERMISSIONS[group]}
    for role, group in ROLE_GROUPS.items()
}


def role_grants(role: str | None, permission: str) -> bool:
    """Whether the role, held in an organization, allows `permission` ("app.codename") on its rows."""
    return permission in _ROLE_GRANTS.get(role, ())


def roles_granting(permission: str) -> list[str]:
    return [role for role in ROLE_GROUPS if role_grants(role, permission)]


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
