from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.errors import ApplicationError
from partners.keys import key_create
from partners.models import Partner
from people.models import Organization


class Command(BaseCommand):
    help = (
        "Create an API key for a partner and print it once; the partner is registered first when new. "
        "Only a fingerprint of the key is stored: it cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="the partner's name, e.g. 'Daily Steppe'")
        parser.add_argument(
            "--scopes",
            required=True,
            help="comma-separated: scores:read,incidents:read,photos:read,exports:read",
        )
        parser.add_argument("--days", required=True, type=int, help="days until the key expires")
        parser.add_argument(
            "--organization",
            help="slug of the organization registering a new partner (needed when there are several)",
        )

    @transaction.atomic
    def handle(self, *args, partner: str, scopes: str, days: int, organization: str | None, **options):
        name = partner.strip()
        if not name:
            raise CommandError("Give the partner's name with --partner.")
        row = Partner.objects.filter(name=name).first()
        if row is None:
            row = Partner.objects.create(name=name, organization=self.registering(organization))
            self.stdout.write(f"Registered the partner {row.name} for {row.organization}.")
        elif organization and row.organization.slug != organization:
            raise CommandError(
                f"The partner {row.name} is registered by {row.organization.slug}, not {organization}."
            )
        try:
            key, secret = key_create(partner=row, scopes=scopes.split(","), days=days)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Key for {row.name} — copy it now, it is not shown again:\n\n  {secret}\n\n"
            f"Prefix: {key.prefix}\nScopes: {', '.join(key.scopes)}\n"
            f"Expires: {key.expires_at.isoformat(timespec='seconds')}"
        )

    def registering(self, slug: str | None) -> Organization:
        if slug:
            try:
                return Organization.objects.get(slug=slug)
            except Organization.DoesNotExist:
                raise CommandError(f"No organization has the slug {slug}.") from None
        organizations = list(Organization.objects.order_by("slug")[:2])
        if len(organizations) == 1:
            return organizations[0]
        if not organizations:
            raise CommandError("There is no organization yet to register the partner; create one first.")
        raise CommandError(
            "There are several organizations: name the registering one with --organization SLUG."
        )
