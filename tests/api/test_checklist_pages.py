"""The observer's checklist pages on the server's side: which checklists a station shows, the
definition and the validator's words embedded in the form, and who may open them."""

import json
import re

import pytest
from django.urls import reverse

from api.pages.checklists import phone_messages
from checklists.services import checklist_publish
from checklists.texts import localized
from checklists.validation import MAX_TEXT, validate
from partners.keys import key_create
from partners.models import Partner
from tests.checklists.conftest import ALL_FINE, build_checklist

pytestmark = pytest.mark.django_db

JSON_SCRIPT = r'<script id="{}" type="application/json">(.*?)</script>'


@pytest.fixture
def checklist(election, organization):
    return build_checklist(election, organization)


@pytest.fixture(autouse=True)
def version(checklist, superuser):
    """The opening checklist of tests/checklists, published."""
    return checklist_publish(checklist=checklist, by=superuser)


@pytest.fixture
def owner(client, observer):
    client.force_login(observer)
    return client


def list_url(station) -> str:
    return reverse("observe:checklists", args=[station.pk])


def form_url(station, code="opening") -> str:
    return reverse("observe:checklist", args=[station.pk, code])


def embedded(response, element_id: str):
    found = re.search(JSON_SCRIPT.format(element_id), response.text, re.S)
    assert found, f"no {element_id} in the page"
    return json.loads(found[1])


def test_each_station_card_links_to_the_stations_checklists(owner, station):
    page = owner.get(reverse("observe:stations"))

    assert f'href="{list_url(station)}"' in page.text


def test_the_list_shows_each_published_checklist_with_its_phase_and_size(
    owner, station, election, organization
):
    build_checklist(election, organization, code="unpublished")

    page = owner.get(list_url(station))

    assert page.status_code == 200
    assert page.context["checklists"] == [
        {
            "code": "opening",
            "name": "Opening",
            "phase": "Opening",
            "version": 1,
            "questions": 8,
            "url": form_url(station),
        }
    ]
    assert f'href="{form_url(station)}"' in page.text
    assert "8 questions" in page.text


def test_a_station_without_a_published_checklist_says_so(client, other_observer):
    # The other organization has published nothing.
    client.force_login(other_observer)
    their_station = other_observer.memberships.get().assignments.get().station

    page = client.get(list_url(their_station))

    assert page.status_code == 200
    assert "No checklist is published for this station yet." in page.text


def test_the_form_page_embeds_the_current_definition_in_the_pages_language(owner, station, version):
    page = owner.get(form_url(station), HTTP_ACCEPT_LANGUAGE="ru")

    assert page.status_code == 200
    definition = embedded(page, "checklist-definition")
    assert definition == localized(version.definition, "ru")
    assert definition["name"] == "Открытие"
    assert definition["sections"][0]["questions"][0]["label"] == "Урна опечатана?"
    assert "<h1>Открытие</h1>" in page.text


def test_after_republishing_the_form_carries_the_new_version(owner, station, checklist, superuser):
    checklist.questions.filter(code="voted").update(label_en="Voters so far")
    checklist_publish(checklist=checklist, by=superuser)

    definition = embedded(owner.get(form_url(station)), "checklist-definition")

    assert definition["version"] == 2
    assert definition["sections"][1]["questions"][1]["label"] == "Voters so far"


def test_the_phone_is_given_the_servers_own_words_for_each_fault(owner, station, version):
    texts = embedded(owner.get(form_url(station)), "checklist-texts")
    definition = version.definition

    def server_says(code, answers, photos=()):
        return validate(definition, {**ALL_FINE, **answers}, photos).errors[code]

    def phone_says(name, **values):
        text = texts[name]
        for key, value in values.items():
            text = text.replace(f"%({key})d", str(value))
        return text

    assert texts["max_text"] == MAX_TEXT
    assert server_says("registered", {"registered": -1}) == phone_says("min", min=0)
    assert server_says("registered", {"registered": 5001}) == phone_says("max", max=5000)
    assert server_says("registered", {"registered": "12a"}) == phone_says("number")
    assert server_says("opened_at", {"opened_at": None}) == phone_says("required")
    assert server_says("opened_at", {"opened_at": "7:5"}) == phone_says("time")
    assert server_says("admitted", {"admitted": "police"}) == phone_says("choice")
    assert server_says("problems", {"problems": ["late", "soon"]}) == phone_says("choices")
    assert server_says("problems", {"problems": ["late", "late"]}) == phone_says("twice")
    assert server_says("box_sealed", {"box_sealed": "yes"}) == phone_says("yes_no")
    long_text = {"problems": ["materials"], "missing": "x" * (MAX_TEXT + 1)}
    assert server_says("missing", long_text) == phone_says("long", max=MAX_TEXT)
    assert {key: texts[key] for key in phone_messages()} == phone_messages()


def test_the_pages_hold_no_inline_script(owner, station):
    for url in (list_url(station), form_url(station)):
        page = owner.get(url)
        for tag in re.findall(r"<script[^>]*>", page.text):
            assert "src=" in tag or 'type="application/json"' in tag, tag


def test_anonymous_visitors_and_partner_keys_are_sent_to_the_observer_login(client, station, organization):
    _row, key = key_create(
        partner=Partner.objects.create(name="Press", organization=organization),
        scopes=["incidents:read"],
        days=3,
    )
    for url in (list_url(station), form_url(station)):
        for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {key}"}):
            response = client.get(url, **headers)
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('observe:login')}?next={url}"


@pytest.mark.parametrize("who", ["reviewer", "coordinator", "superuser"])
def test_staff_without_an_observer_role_are_told_to_use_the_admin(client, station, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in (list_url(station), form_url(station)):
        response = client.get(url)
        assert response.status_code == 403
        assert "checklist-definition" not in response.text


@pytest.mark.parametrize("who", ["other_observer", "unassigned_observer"])
def test_a_station_that_is_not_the_observers_is_404(client, station, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in (list_url(station), form_url(station), form_url(station, "unknown")):
        assert client.get(url).status_code == 404


def test_a_missing_station_and_an_unknown_checklist_are_404(owner, station):
    assert owner.get(reverse("observe:checklists", args=[10**9])).status_code == 404
    assert owner.get(form_url(station, "closing")).status_code == 404
    assert owner.post(form_url(station)).status_code == 405


def test_each_organization_sees_only_its_own_checklists(
    client, observer, other_observer, station, election, other_organization, superuser
):
    theirs = build_checklist(election, other_organization, code="their-opening")
    checklist_publish(checklist=theirs, by=superuser)
    their_station = other_observer.memberships.get().assignments.get().station

    client.force_login(observer)
    assert [row["code"] for row in client.get(list_url(station)).context["checklists"]] == ["opening"]
    assert client.get(form_url(station, "their-opening")).status_code == 404
    client.force_login(other_observer)
    assert [row["code"] for row in client.get(list_url(their_station)).context["checklists"]] == [
        "their-opening"
    ]
    assert client.get(form_url(their_station, "opening")).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_takes_the_same_queries_for_one_checklist_or_twenty(
    owner, station, election, organization, superuser, count, django_assert_num_queries
):
    for number in range(1, count):
        checklist_publish(
            checklist=build_checklist(election, organization, code=f"c{number:02d}"), by=superuser
        )

    with django_assert_num_queries(5):
        page = owner.get(list_url(station))

    assert len(page.context["checklists"]) == count


def test_the_service_worker_keeps_the_checklist_script(owner):
    script = owner.get(reverse("observe:sw")).content.decode()

    assert "/static/observe/checklists.js" in script
