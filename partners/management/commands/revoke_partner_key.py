from django.core.management.base import BaseCommand, CommandError

from core.errors import NotFound
from partners.keys import KEY_START, key_revoke


class Command(BaseCommand):
    help = "Revoke a partner's API key at once, by the prefix shown in the admin's list of keys."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="the key's prefix, e.g. 3f9a01bc (the part after bqp_)")

    def handle(self, *args, prefix: str, **options):
        if prefix.startswith(KEY_START):
            # The whole key was pasted: its prefix is the part after bqp_.
            prefix = prefix.removeprefix(KEY_START).split("_")[0]
        try:
            key = key_revoke(prefix=prefix)
        except NotFound as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Key {key.prefix} of {key.partner} revoked at {key.revoked_at.isoformat(timespec='seconds')}."
        )
