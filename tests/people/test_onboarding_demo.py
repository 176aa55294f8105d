"""The demo's onboarding file and cards: the file imports cleanly, its eight observers get one A4
sheet of cards written to a local file, and seeding again issues no new codes."""

import io

import pytest
from pypdf import PdfReader

from demo import onboarding
from people.models import Membership, Role, SignInCode
from people.observer_file import read_observer_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_stations(make_station):
    rows, errors = read_observer_file(onboarding.OBSERVERS_FILE.read_bytes())
    assert errors == []
    for number in sorted({number for row in rows for number in row.stations}):
        make_station(number)
    return rows


def test_the_demo_file_onboards_eight_observers_with_one_sheet_of_cards(
    organization, election, demo_stations, tmp_path
):
    cards = tmp_path / "cards.pdf"

    message = onboarding.onboard(organization=organization, election=election, cards=cards)

    assert message == f"Onboarding file: 8 observers created, 0 updated. Their sign-in cards (8): {cards}"
    observers = Membership.objects.filter(organization=organization, role=Role.OBSERVER)
    assert observers.count() == 8
    assert not any(membership.user.has_usable_password() for membership in observers)
    assert SignInCode.objects.usable().count() == 8
    organization.refresh_from_db()
    assert organization.hotline == onboarding.DEMO_HOTLINE
    reader = PdfReader(io.BytesIO(cards.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Айгерим Серікқызы Нұрланова" in text and "Sarah Jensen" in text
    assert (cards.stat().st_mode & 0o777) == 0o600


def test_seeding_again_issues_no_new_codes_and_leaves_the_cards_alone(
    organization, election, demo_stations, tmp_path
):
    cards = tmp_path / "cards.pdf"
    onboarding.onboard(organization=organization, election=election, cards=cards)
    written = cards.read_bytes()

    message = onboarding.onboard(organization=organization, election=election, cards=cards)

    assert message == "Onboarding file: 0 observers created, 8 updated."
    assert SignInCode.objects.count() == 8
    assert cards.read_bytes() == written
