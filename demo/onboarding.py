"""The demo organization's onboarding: eight observers from demo/data/observers.csv, the list a
coordinator would upload, and one A4 sheet of their sign-in cards, written to a file under
MEDIA_ROOT (which the site never serves).

The cards' codes go only into that file (kept to its owner), never to the seed's output. Running
the seed again updates the same eight people and issues no new codes.
"""

from pathlib import Path

from django.conf import settings

from people.cards import cards_for, cards_pdf
from people.codes import codes_issue
from people.models import Membership, Organization
from people.onboarding import observers_import, read_observer_file
from stations.models import Election

OBSERVERS_FILE = Path(__file__).resolve().parent / "data" / "observers.csv"
DEMO_HOTLINE = "+7 700 100 0000"
LOGIN_URL = "http://127.0.0.1:8000/observe/login/"


def cards_path() -> Path:
    # Beside the stored photos: private to the server's user and never served by the site.
    return Path(settings.MEDIA_ROOT) / "demo" / "sign-in-cards.pdf"


def onboard(*, organization: Organization, election: Election, cards: Path | None = None) -> str:
    """Imports the demo file for `organization`, and issues codes and cards to its observers who
    have none yet. Returns what the seed tells its user."""
    if not organization.hotline:
        organization.hotline = DEMO_HOTLINE
        organization.save(update_fields=["hotline"])
    data = OBSERVERS_FILE.read_bytes()
    result = observers_import(organization=organization, election=election, data=data, by=None)
    rows, _errors = read_observer_file(data)
    listed = Membership.objects.filter(
        organization=organization, phone__in=[row.phone for row in rows if row.phone]
    )
    emails = [row.email for row in rows if row.email]
    listed = listed | Membership.objects.filter(organization=organization, user__email__in=emails)
    waiting = listed.filter(sign_in_codes__isnull=True).order_by("user__username")
    summary = f"Onboarding file: {result.created} observers created, {result.updated} updated."
    if not waiting.exists():
        return summary
    issued = codes_issue(memberships=waiting, by=None)
    path = cards or cards_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(cards_pdf(cards_for(issued), login_url=LOGIN_URL))
    return f"{summary} Their sign-in cards ({len(issued)}): {path}"
