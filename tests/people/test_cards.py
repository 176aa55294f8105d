"""Observers' printable cards: eight to an A4 page, each with the observer's name, organization,
stations, sign-in code and hotline, in the observer's own language."""

import io

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from people.cards import cards_for, cards_pdf, sign_in_link
from people.codes import codes_issue, group_code
from people.models import Membership, Role

pytestmark = pytest.mark.django_db

LOGIN_URL = "https://baqylau.example.org/observe/login/"


def page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def issue_to(organization):
    memberships = Membership.objects.filter(organization=organization, role=Role.OBSERVER)
    return codes_issue(memberships=memberships.order_by("user__username"), by=None)


@pytest.fixture
def nine_observers(organization, make_member, make_station):
    organization.hotline = "+7 700 100 0000"
    organization.save()
    stations = [make_station(str(number)) for number in range(201, 215)]
    for number in range(1, 10):
        make_member(
            f"obs-{number}",
            organization,
            stations=stations[number : number + 1],
            first_name=f"Person {number}",
        )
    return organization


def test_nine_observers_fill_one_page_of_eight_cards_and_a_second_of_one(nine_observers):
    issued = issue_to(nine_observers)

    pdf = cards_pdf(cards_for(issued), login_url=LOGIN_URL)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) == pytest.approx(
        A4
    )
    first, second = page_texts(pdf)
    assert [f"Person {n}" in first for n in range(1, 10)] == [True] * 8 + [False]
    assert "Person 9" in second
    for item in issued[:8]:
        assert group_code(item.code) in first
    assert first.count("Hotline: +7 700 100 0000") == 8
    assert first.count("Honest Count") == 8
    assert "Stations: 202" in first and "Stations: 209" in first
    assert first.count("baqylau.example.org/observe/login/") == 8


def test_each_card_speaks_its_observers_language(organization, make_member, station):
    for username, language in (("obs-kk", "kk"), ("obs-ru", "ru"), ("obs-en", "en")):
        make_member(username, organization, stations=[station], first_name=f"Name {language}")
        Membership.objects.filter(user__username=username).update(language=language)

    (text,) = page_texts(cards_pdf(cards_for(issue_to(organization)), login_url=LOGIN_URL))

    assert text.count("Байқаушы · Honest Count") == 1
    assert text.count("Учаскелер: 101") == 1
    assert text.count("Наблюдатель · Honest Count") == 1
    assert text.count("Участки: 101") == 1
    assert text.count("Observer · Honest Count") == 1
    assert text.count("Stations: 101") == 1


def test_kazakh_names_print_with_every_letter(organization, make_member):
    name = "Әсел Ғалымқызы Құрманбекова-Үсенова Һ Ө Ң Ұ \u0406"  # the last one is the Kazakh dotted I
    make_member("obs-1", organization, first_name=name)

    (text,) = page_texts(cards_pdf(cards_for(issue_to(organization)), login_url=LOGIN_URL))

    assert name in text
    assert "Stations: given on the day" in text


def test_a_long_list_of_stations_is_cut_short_and_no_hotline_means_no_hotline_line(
    organization, make_member, make_station
):
    stations = [make_station(str(number)) for number in range(301, 321)]
    make_member("roamer", organization, stations=stations)

    (text,) = page_texts(cards_pdf(cards_for(issue_to(organization)), login_url=LOGIN_URL))

    assert "301, 302" in text and "312 …" in text
    assert "313" not in text
    assert "Hotline" not in text


def test_the_qr_link_carries_the_code_in_the_fragment_only():
    assert (
        sign_in_link(LOGIN_URL, "ACEF34679HJK")
        == "https://baqylau.example.org/observe/login/#code=ACEF34679HJK"
    )
