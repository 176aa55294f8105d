import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.cards import cards_for, cards_pdf
from people.codes import codes_issue
from people.models import Membership, Organization, Role


class Command(BaseCommand):
    help = (
        "Issue new one-time sign-in codes to an organization's observers (all of them, or those named) "
        "and print them as CSV lines username,full_name,code. Earlier codes of the same observers stop "
        "working. The codes are shown only here: only their hashes are stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organization's slug")
        parser.add_argument("--usernames", help="only these observers, comma-separated")
        parser.add_argument(
            "--revoke-tokens",
            action="store_true",
            help="also sign out the observers' phones (a lost or stolen phone)",
        )
        parser.add_argument("--cards", type=Path, help="also write their printable cards to this PDF file")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="the address observers open, for the cards' QR codes (default: %(default)s)",
        )

    def handle(self, *args, organization: str, usernames: str | None, revoke_tokens: bool, **options):
        target = Organization.objects.filter(slug=organization).first()
        if target is None:
            raise CommandError(f"No organization with the slug {organization!r}.")
        memberships = Membership.objects.filter(organization=target, role=Role.OBSERVER)
        if usernames is not None:
            names = {name.strip() for name in usernames.split(",") if name.strip()}
            memberships = memberships.filter(user__username__in=names)
            unknown = names - set(memberships.values_list("user__username", flat=True))
            if unknown:
                raise CommandError(f"Not observers of {target.name}: {', '.join(sorted(unknown))}.")
        issued = codes_issue(
            memberships=memberships.order_by("user__username"), by=None, revoke_tokens=revoke_tokens
        )
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["username", "full_name", "code"])
        for item in issued:
            user = item.membership.user
            writer.writerow([user.get_username(), user.get_full_name(), item.grouped])
        if options["cards"] is not None:
            login_url = options["site"].rstrip("/") + "/observe/login/"
            options["cards"].write_bytes(cards_pdf(cards_for(issued), login_url=login_url))
            self.stderr.write(f"{len(issued)} cards written to {options['cards']}.")
