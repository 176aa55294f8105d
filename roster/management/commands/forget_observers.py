import getpass

from django.core.management.base import BaseCommand, CommandError

from people.models import Organization
from roster.forgetting import observers_forget, observers_to_forget
from stations.models import Election


class Command(BaseCommand):
    help = (
        "After a mission, remove the names, e-mail addresses, phone numbers, accreditation numbers and "
        "photos, and the positions of an organization's observers of one election. Their reports, "
        "check-ins and counts stay, under a pseudonym, so the evidence and the scores are unchanged; "
        "their accounts can no longer sign in. Recorded in the roster's audit trail. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organization's slug")
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="only say how many observers would be forgotten"
        )

    def handle(self, *args, organization: str, election: str, dry_run: bool, **options):
        target = Organization.objects.filter(slug=organization).first()
        if target is None:
            raise CommandError(f"No organization with the slug {organization!r}.")
        mission = Election.objects.filter(slug=election).first()
        if mission is None:
            raise CommandError(f"No election with the slug {election!r}.")
        if dry_run:
            count = observers_to_forget(target, mission).count()
            self.stdout.write(f"{count} observers of {target} in {mission} would be forgotten.")
            return
        record = observers_forget(organization=target, election=mission, actor=getpass.getuser())
        self.stdout.write(
            self.style.SUCCESS(
                f"{record.observers} observers of {target} in {mission} forgotten: "
                f"{record.photos} accreditation photos and {record.positions} positions removed."
            )
        )
