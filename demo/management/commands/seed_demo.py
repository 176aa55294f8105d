from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import checklists as checklist_demo
from demo import complaints as complaint_demo
from demo import count as count_demo
from demo import election as demo
from demo import observations as observation_demo
from demo import onboarding as onboarding_demo
from demo import outreach as outreach_demo
from demo import partner_keys as partner_demo
from demo import roster as roster_demo
from people.models import Role
from people.roles import ensure_groups
from stations.models import Election
from stations.services import stations_upsert

OBSERVERS = 20


class Command(BaseCommand):
    help = (
        f'Build the demo election "{demo.DEMO_NAME}" (real regions and districts, synthetic stations), '
        "the demo accounts, and what the demo observers reported. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already holds an election"
        )
        parser.add_argument(
            "--allow-demo-in-production",
            action="store_true",
            help="load the demo even though DJANGO_DEBUG is false (its passwords and partner key are public)",
        )

    def handle(self, *args, if_empty: bool, allow_demo_in_production: bool, **options):
        # The demo's passwords and partner key are in the README: never in production by accident.
        if not settings.DEBUG and not allow_demo_in_production:
            raise CommandError(
                "DJANGO_DEBUG is false: this looks like a production instance, and the demo's accounts "
                "and partner key are public. Pass --allow-demo-in-production to load it anyway "
                "(`manage.py check --deploy` then fails until they are removed)."
            )
        if if_empty and Election.objects.exists():
            self.stdout.write("The database already holds an election; the demo was not rebuilt.")
        else:
            self.build()
        self.print_logins()

    @transaction.atomic
    def build(self) -> None:
        election, _ = Election.objects.get_or_create(
            slug=demo.DEMO_SLUG,
            defaults={"name": demo.DEMO_NAME, "date": demo.DEMO_DATE, "timezone": demo.DEMO_TIMEZONE},
        )
        created, updated = stations_upsert(election=election, rows=demo.demo_station_rows())
        self.stdout.write(
            f"{election.name}: {election.regions.count()} regions, {election.districts.count()} districts, "
            f"{election.stations.count()} stations ({created} created, {updated} updated)."
        )
        groups = ensure_groups()
        # One slow hash shared by the demo accounts keeps the seed fast; real accounts each get their own.
        password = make_password(settings.DEMO_PASSWORD)
        # The demo coordinator also administers the shared election data; coordinator2 only reads it.
        coordinator = self.ensure_user(
            "coordinator",
            password,
            staff=True,
            groups=[groups["Coordinator"], groups["Election administrator"]],
        )
        reviewer = self.ensure_user("reviewer", password, staff=True, groups=[groups["Reviewer"]])
        coordinator2 = self.ensure_user("coordinator2", password, staff=True, groups=[groups["Coordinator"]])
        observers = [self.ensure_user(f"observer{number}", password) for number in range(1, OBSERVERS + 1)]
        others = [
            self.ensure_user(f"observer{number}", password) for number in range(OBSERVERS + 1, OBSERVERS + 6)
        ]
        first = observation_demo.ensure_organization(
            slug="citizen-watch",
            name="Citizen Watch (demo)",
            staff=[(coordinator, Role.COORDINATOR), (reviewer, Role.REVIEWER)],
            observers=observers,
            election=election,
        )
        second = observation_demo.ensure_organization(
            slug="fair-count",
            name="Fair Count (demo)",
            staff=[(coordinator2, Role.COORDINATOR)],
            observers=others,
            election=election,
            first=len(observers),
        )
        checkins, reports = observation_demo.record_activity(
            election=election, observers=observers + others, seed=demo.DEMO_SEED
        )
        observation_demo.review_some(
            reports, reviewers={first.pk: reviewer, second.pk: coordinator2}, seed=demo.DEMO_SEED
        )
        partner_demo.ensure_demo_partner(organization=first)
        self.stdout.write(onboarding_demo.onboard(organization=first, election=election))
        self.stdout.write(
            count_demo.seed_counts(
                election=election, organization=first, reviewer=reviewer, seed=demo.DEMO_SEED
            )
        )
        self.stdout.write(
            checklist_demo.seed_checklists(
                election=election, organization=first, by=coordinator, seed=demo.DEMO_SEED
            )
        )
        self.stdout.write(
            complaint_demo.seed_complaints(
                election=election, organization=first, reviewer=reviewer, coordinator=coordinator
            )
        )
        self.stdout.write(roster_demo.seed_roster(election=election, organization=first, reviewer=reviewer))
        self.stdout.write(
            outreach_demo.seed_outreach(election=election, organization=first, coordinator=coordinator)
        )
        self.stdout.write(
            f"{first.name} and {second.name}: {len(observers) + len(others)} observers, "
            f"{checkins} new check-ins, {len(reports)} new reports."
        )

    def ensure_user(self, username: str, password: str, *, staff: bool = False, groups=()):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": staff, "password": password}
        )
        user.groups.add(*groups)
        return user

    def print_logins(self) -> None:
        password = settings.DEMO_PASSWORD
        self.stdout.write(
            "\nDemo logins (password for all: "
            f"{password}):\n"
            "  coordinator           admin, http://127.0.0.1:8000/admin/  (Citizen Watch, election admin)\n"
            "  reviewer              admin, http://127.0.0.1:8000/admin/  (Citizen Watch)\n"
            "  coordinator2          admin, http://127.0.0.1:8000/admin/  (Fair Count)\n"
            f"  observer1 … observer{OBSERVERS}  observers of Citizen Watch, http://127.0.0.1:8000/observe/\n"
            f"  observer{OBSERVERS + 1} … observer{OBSERVERS + 5}  observers of Fair Count\n"
            f"\nDemo partner API key ({partner_demo.DEMO_PARTNER}, every scope; demo data only):\n"
            f"  curl -H 'Authorization: Bearer {settings.DEMO_PARTNER_KEY}' "
            "http://127.0.0.1:8000/api/v1/incidents/\n"
        )
