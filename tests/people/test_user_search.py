"""The user search of the membership form: a coordinator finds the members of their organizations by
any field, and people of no organization by name only, never by e-mail address."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db


def user_search(client, term: str) -> set[str]:
    query = {"app_label": "people", "model_name": "membership", "field_name": "user", "term": term}
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


@pytest.fixture
def coordinator(coordinator):
    return in_group(coordinator, "Coordinator")


@pytest.fixture
def loner(db):
    return get_user_model().objects.create_user(
        "new-volunteer", email="aigerim.private@mail.example", first_name="Aigerim"
    )


def test_a_coordinator_finds_no_one_outside_their_organizations_by_e_mail(client, coordinator, loner):
    client.force_login(coordinator)
    assert user_search(client, "aigerim.private@mail.example") == set()
    assert user_search(client, "mail.example") == set()


def test_a_coordinator_finds_a_person_of_no_organization_by_user_name_or_name(client, coordinator, loner):
    client.force_login(coordinator)
    assert user_search(client, "new-volunteer") == {"new-volunteer"}
    assert user_search(client, "Aigerim") == {"new-volunteer"}


def test_a_coordinator_finds_their_own_members_by_e_mail(
    client, coordinator, make_member, organization, loner
):
    make_member("observer-a", organization, email="observer.a@mail.example")
    client.force_login(coordinator)
    assert user_search(client, "mail.example") == {"observer-a"}


def test_a_superuser_finds_anyone_by_e_mail(client, superuser, loner):
    client.force_login(superuser)
    assert user_search(client, "mail.example") == {"new-volunteer"}
