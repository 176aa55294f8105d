"""A database built at the previous layout, when organizations, people and the integrity scores were
the reports app's, migrates to the layered one with every row kept, every link intact, the staff
groups' permissions and the admin's history still attached: on SQLite and on PostgreSQL alike.

The database is built from nothing with the old layout's migrations and filled through the models
as they were then (Django's historical models), so the test needs no copy of the old code.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The leaf migrations of main before the layered layout.
OLD_LAYOUT = [
    ("stations", "0003_election_polls_close"),
    ("reports", "0008_verified_changed_index"),
    ("counts", "0003_forensic_runs"),
    ("partners", "0001_partners_and_keys"),
    ("webhooks", "0001_endpoints_and_deliveries"),
]
OUR_APPS = [
    "stations",
    "people",
    "reports",
    "counts",
    "outreach",
    "checklists",
    "complaints",
    "roster",
    "integrity",
    "partners",
    "webhooks",
]
# Where each model that moved lives now; every other model keeps its app.
MOVED = {
    "reports.organization": "people.organization",
    "reports.membership": "people.membership",
    "reports.assignment": "people.assignment",
    "reports.observertoken": "people.observertoken",
    "reports.scorerun": "integrity.scorerun",
    "reports.districtscore": "integrity.districtscore",
    "reports.districtscorehistory": "integrity.districtscorehistory",
    "reports.stationindicator": "integrity.stationindicator",
}
DAY = datetime(2023, 3, 19, 9, 0, tzinfo=UTC)
ROWS = 3


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def row_counts(apps, labels) -> dict[str, int]:
    return {label: apps.get_model(label)._default_manager.count() for label in labels}


def build_registry(apps) -> dict:
    """Elections, regions, districts and stations, with an import and a sample draw."""
    Election, Region = apps.get_model("stations.Election"), apps.get_model("stations.Region")
    District, Station = apps.get_model("stations.District"), apps.get_model("stations.PollingStation")
    election = Election.objects.create(slug="old-layout", name="Old layout", date=date(2023, 3, 19))
    region = Region.objects.create(election=election, name="Astana")
    districts = [
        District.objects.create(election=election, number=n, name=f"District {n}", region=region)
        for n in range(1, ROWS + 1)
    ]
    stations = [
        Station.objects.create(
            election=election,
            number=str(100 + n),
            district=districts[n],
            region=region,
            registered_voters=900,
        )
        for n in range(ROWS)
    ]
    apps.get_model("stations.StationImport").objects.create(
        election=election, filename="stations.csv", sha256=sha("s"), rows=ROWS, created=ROWS, updated=0
    )
    apps.get_model("stations.SampleDraw").objects.create(
        election=election, size=2, drawn=2, seed=7, min_per_district=0
    )
    return {"election": election, "districts": districts, "stations": stations}


def build_people(apps, registry: dict) -> dict:
    """Two organizations, an observer and a coordinator in each, assignments and tokens."""
    User = apps.get_model("auth.User")
    Organization, Membership = apps.get_model("reports.Organization"), apps.get_model("reports.Membership")
    organizations, observers = [], []
    for n in range(ROWS):
        organization = Organization.objects.create(name=f"Watch {n}", slug=f"watch-{n}")
        observer = User.objects.create(username=f"observer{n}")
        coordinator = User.objects.create(username=f"coordinator{n}", is_staff=True)
        membership = Membership.objects.create(user=observer, organization=organization, phone=f"+7700{n}")
        Membership.objects.create(user=coordinator, organization=organization, role="coordinator")
        apps.get_model("reports.Assignment").objects.create(
            membership=membership, station=registry["stations"][n]
        )
        apps.get_model("reports.ObserverToken").objects.create(
            user=observer, key_hash=sha(f"key{n}"), prefix=f"k{n}", expires_at=DAY + timedelta(days=30)
        )
        organizations.append(organization)
        observers.append(observer)
    return {"organizations": organizations, "observers": observers}


def build_reports(apps, registry: dict, people: dict) -> list:
    """A check-in, a report with a photo and its events for each observer, and an export job."""
    reports = []
    for n, (observer, organization) in enumerate(
        zip(people["observers"], people["organizations"], strict=True)
    ):
        where = {
            "election": registry["election"],
            "station": registry["stations"][n],
            "observer": observer,
            "organization": organization,
        }
        apps.get_model("reports.CheckIn").objects.create(kind="arrival", at=DAY, **where)
        report = apps.get_model("reports.IncidentReport").objects.create(
            category="ballot_stuffing",
            severity=5,
            phase="voting",
            occurred_at=DAY,
            description=f"r{n}",
            **where,
        )
        apps.get_model("reports.ReportPhoto").objects.create(
            report=report,
            image=f"reports/{n}.jpg",
            thumbnail=f"reports/{n}-t.jpg",
            width=10,
            height=10,
            size_bytes=100,
            sha256=sha(f"photo{n}"),
        )
        apps.get_model("reports.ReportEvent").objects.create(report=report, actor=observer, action="submit")
        reports.append(report)
    apps.get_model("reports.ExportJob").objects.create(kind="photos_zip", requested_by=people["observers"][0])
    return reports


def build_scores(apps, registry: dict) -> None:
    """A finished score run with each district's score, its history and the station indicators."""
    run = apps.get_model("reports.ScoreRun").objects.create(
        election=registry["election"], status="finished", started_at=DAY, finished_at=DAY, seed=11
    )
    score = {
        "election": registry["election"],
        "run": run,
        "coverage": "C",
        "n": 5,
        "sample_used": False,
        "count_risk": 0.0,
        "forensic_flags": 0.0,
        "computed_at": DAY,
        "score": 90.0,
    }
    for district in registry["districts"]:
        apps.get_model("reports.DistrictScore").objects.create(district=district, **score)
        apps.get_model("reports.DistrictScoreHistory").objects.create(district=district, **score)
    for station in registry["stations"]:
        apps.get_model("reports.StationIndicator").objects.create(
            election=registry["election"], run=run, station=station, severity=5, y=0.5, incidents=1, reports=1
        )


def build_counts(apps, registry: dict, people: dict) -> None:
    """A contest with a results file, turnout counts, protocol copies with a review step, a forensics run."""
    contest = apps.get_model("counts.Contest").objects.create(
        election=registry["election"], code="party_list", name="Party list", kind="party_list"
    )
    for n in range(ROWS):
        apps.get_model("counts.Choice").objects.create(
            contest=contest, code=f"p{n}", name=f"Party {n}", position=n
        )
    batch = apps.get_model("counts.ResultBatch").objects.create(
        contest=contest, filename="results.csv", sha256=sha("results"), rows=ROWS
    )
    numbers = {"registered": 900, "invalid": 1, "valid": 499}
    for n, station in enumerate(registry["stations"]):
        apps.get_model("counts.OfficialResult").objects.create(
            contest=contest, batch=batch, station=station, ballots_issued=500, ballots_in_boxes=500, **numbers
        )
        where = {
            "election": registry["election"],
            "station": station,
            "observer": people["observers"][n],
            "organization": people["organizations"][n],
        }
        apps.get_model("counts.TurnoutCount").objects.create(
            counted_at=DAY, voters=400, method="tally", **where
        )
        protocol = apps.get_model("counts.ProtocolCopy").objects.create(
            contest=contest,
            received=500,
            issued=500,
            cancelled=400,
            in_boxes=500,
            image=f"p/{n}.jpg",
            thumbnail=f"p/{n}-t.jpg",
            width=10,
            height=10,
            size_bytes=100,
            sha256=sha(f"protocol{n}"),
            **numbers,
            **where,
        )
        apps.get_model("counts.ProtocolEvent").objects.create(
            protocol=protocol, action="verify", status_from="submitted", status_to="verified"
        )
    apps.get_model("counts.ForensicRun").objects.create(contest=contest, batch=batch, leader="p0", seed=3)


def build_partners(apps, people: dict) -> None:
    """A partner of each organization with a key, an endpoint and a delivery."""
    for n, organization in enumerate(people["organizations"]):
        partner = apps.get_model("partners.Partner").objects.create(
            name=f"Partner {n}", organization=organization
        )
        apps.get_model("partners.PartnerKey").objects.create(
            partner=partner, key_hash=sha(f"partner{n}"), prefix=f"p{n}", expires_at=DAY + timedelta(days=90)
        )
        endpoint = apps.get_model("webhooks.WebhookEndpoint").objects.create(
            partner=partner, url=f"https://example.org/{n}", secret="s" * 32
        )
        apps.get_model("webhooks.WebhookDelivery").objects.create(
            endpoint=endpoint, event_type="incident.verified", payload={"n": n}
        )


def grant_and_log(apps, people: dict) -> None:
    """A group allowed to change memberships and a history entry on an organization: both hang on
    content types, which the move must carry over."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    membership_type, _ = ContentType.objects.get_or_create(app_label="reports", model="membership")
    organization_type, _ = ContentType.objects.get_or_create(app_label="reports", model="organization")
    permission, _ = Permission.objects.get_or_create(
        content_type=membership_type, codename="change_membership", defaults={"name": "Can change membership"}
    )
    group = apps.get_model("auth.Group").objects.create(name="Old layout coordinators")
    group.permissions.add(permission)
    apps.get_model("admin.LogEntry").objects.create(
        user_id=people["observers"][0].pk,
        content_type_id=organization_type.pk,
        object_id=str(people["organizations"][0].pk),
        object_repr="Watch 0",
        action_flag=2,
        action_time=DAY,
    )


def build_old_database(apps) -> None:
    registry = build_registry(apps)
    people = build_people(apps, registry)
    build_reports(apps, registry, people)
    build_scores(apps, registry)
    build_counts(apps, registry, people)
    build_partners(apps, people)
    grant_and_log(apps, people)


@pytest.fixture
def old_layout(transactional_db):
    """The database as main had it before the layered layout, filled; migrated back to the present
    layout afterwards, so the following tests find the schema they expect."""
    migrate([(app, None) for app in OUR_APPS])
    executor = migrate(OLD_LAYOUT)
    # Django's own apps stay as they are: only ours go back.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in OUR_APPS]
    try:
        apps = executor.loader.project_state(OLD_LAYOUT + others).apps
        build_old_database(apps)
        yield apps
    finally:
        migrate(executor.loader.graph.leaf_nodes())


def test_an_old_layout_database_keeps_every_row_of_every_model(old_layout):
    old_labels = [
        model._meta.label_lower for model in old_layout.get_models() if model._meta.app_label in OUR_APPS
    ]
    before = row_counts(old_layout, old_labels)
    assert all(before.values()), [label for label, count in before.items() if not count]

    executor = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    new_apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    after = row_counts(new_apps, [MOVED.get(label, label) for label in old_labels])

    assert after == {MOVED.get(label, label): count for label, count in before.items()}
    # The moved tables carry their app's name now, and no table of the old names is left.
    tables = set(connection.introspection.table_names())
    assert {"people_organization", "integrity_scorerun", "integrity_stationindicator"} <= tables
    assert not {label.replace(".", "_") for label in MOVED} & tables


def test_links_to_moved_models_still_lead_to_the_same_rows(old_layout):
    IncidentReport = old_layout.get_model("reports.IncidentReport")
    expected = sorted(
        IncidentReport.objects.values_list("description", "organization__slug", "observer__username")
    )
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from partners.models import Partner
    from people.models import Assignment, Membership
    from reports.models import IncidentReport as Report

    assert (
        sorted(Report.objects.values_list("description", "organization__slug", "observer__username"))
        == expected
    )
    assert sorted(Partner.objects.values_list("name", "organization__slug")) == [
        (f"Partner {n}", f"watch-{n}") for n in range(ROWS)
    ]
    assert (
        Assignment.objects.filter(membership__in=Membership.objects.filter(role="observer")).count() == ROWS
    )
    assert sorted(Membership.objects.filter(role="observer").values_list("phone", flat=True)) == [
        f"+7700{n}" for n in range(ROWS)
    ]


def test_permissions_and_admin_history_follow_the_moved_models(old_layout):
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    group = Group.objects.get(name="Old layout coordinators")
    assert [(p.content_type.app_label, p.codename) for p in group.permissions.all()] == [
        ("people", "change_membership")
    ]
    entry = LogEntry.objects.get(object_repr="Watch 0")
    assert entry.content_type.model_class() is current_apps.get_model("people", "Organization")
    assert not ContentType.objects.filter(
        app_label="reports", model__in=["organization", "membership"]
    ).exists()
