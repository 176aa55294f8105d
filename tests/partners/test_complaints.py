"""Complaints for partners: counts per district by status and outcome over every organization's filed
complaints, and the texts of sharing organizations' filed complaints with no observer's identity
anywhere, whoever signed them and whatever a reviewer typed into them."""

import pytest
from django.urls import reverse

from complaints.models import Outcome
from complaints.services import complaint_edit_text
from partners.models import Scope
from people.models import Organization
from stations.models import PollingStation
from tests.complaints.builders import answered, appealed, consent, draft, file, filed, overdue
from tests.partners.conftest import SECRETS, assert_no_secret_in

pytestmark = pytest.mark.django_db

SLUG = "test-2023"
REPRESENTATIVE = "Aliya Representative, chair"
# The secret observer's phone as a person would type it into a text.
TYPED_PHONE = "+7 (701) 555-98-76"


def counts_url(**query) -> str:
    url = reverse("api:partners:complaint_counts", args=[SLUG])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def texts_url(**query) -> str:
    url = reverse("api:partners:complaint_texts", args=[SLUG])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def shared(make_incident, coordinator, organization):
    """Complaints of the sharing organization in district 1 at every stage, and a draft."""
    Organization.objects.filter(pk=organization.pk).update(representative_name=REPRESENTATIVE)
    report = make_incident()
    waiting = filed([report], coordinator)
    late = overdue([report], coordinator)
    rejected = answered(filed([report], coordinator), coordinator)
    first, appeal = appealed([report], coordinator)
    unfiled = draft([report], coordinator)
    return {
        "waiting": waiting,
        "late": late,
        "rejected": rejected,
        "appealed": first,
        "appeal": appeal,
        "draft": unfiled,
    }


@pytest.fixture
def unshared(make_incident, unsharing_observer, coordinator):
    """An upheld complaint of an organization that does not share, in district 3."""
    report = make_incident(user=unsharing_observer, at_station=PollingStation.objects.get(number="555"))
    return answered(
        filed([report], coordinator), coordinator, outcome=Outcome.UPHELD, text="Recount ordered."
    )


@pytest.fixture
def signed(make_incident, secret_observer, organization, coordinator):
    """A complaint signed by the secret observer, whose name, phone, e-mail and username a reviewer
    also typed into the text, answered by a commission that names them too."""
    consent(secret_observer, organization)
    complaint = draft([make_incident()], coordinator, complainant=secret_observer)
    typed = (
        f"{complaint.text}\nWitness: {SECRETS['first_name']} {SECRETS['last_name']}, tel. {TYPED_PHONE}, "
        f"{SECRETS['email']}, account {SECRETS['username']}; {SECRETS['last_name'].upper()} signs."
    )
    complaint = complaint_edit_text(complaint=complaint, text=typed, by=coordinator)
    answer = f"The complaint of {SECRETS['first_name']} {SECRETS['last_name']} ({TYPED_PHONE}) is unfounded."
    return answered(file(complaint, coordinator), coordinator, text=answer)


def test_counts_per_district_add_up_every_organizations_filed_complaints(
    partner_api, shared, unshared, election
):
    response = partner_api(Scope.SCORES_READ).get(counts_url())

    assert response.status_code == 200
    rows = {row["number"]: row for row in response.json()["results"]}
    assert rows[1] == {
        "number": 1,
        "name": "District 1",
        "filed": 5,
        "overdue": 1,
        "status": {"filed": 3, "answered": 1, "appealed": 1, "closed": 0},
        "outcome": {"upheld": 0, "rejected": 2, "no_answer": 0, "none": 3},
    }
    assert rows[3]["filed"] == 1
    assert rows[3]["status"]["answered"] == rows[3]["outcome"]["upheld"] == 1
    assert all(row["filed"] == 0 for number, row in rows.items() if number not in (1, 3))


def test_counts_take_a_district_and_refuse_one_that_is_not_a_whole_number(partner_api, shared, unshared):
    client = partner_api(Scope.SCORES_READ)

    (row,) = client.get(counts_url(district=3)).json()["results"]
    assert (row["number"], row["filed"]) == (3, 1)
    refused = client.get(counts_url(district="1.5"))
    assert refused.status_code == 400
    assert "district" in refused.json()["error"]["fields"]


def test_texts_are_only_of_sharing_organizations_and_filed_complaints(partner_api, shared, unshared):
    response = partner_api(Scope.INCIDENTS_READ).get(texts_url())

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    expected = [shared[name].pk for name in ("waiting", "late", "rejected", "appealed", "appeal")]
    assert sorted(ids) == sorted(expected)
    assert unshared.pk not in ids and shared["draft"].pk not in ids
    assert "Recount ordered." not in response.content.decode()


def test_a_text_says_what_the_commission_did(partner_api, shared):
    rows = {row["id"]: row for row in partner_api(Scope.INCIDENTS_READ).get(texts_url()).json()["results"]}

    appeal = rows[shared["appeal"].pk]
    assert (appeal["appeal_of"], appeal["addressee_kind"], appeal["status"]) == (
        shared["appealed"].pk,
        "district",
        "filed",
    )
    rejected = rows[shared["rejected"].pk]
    assert (rejected["outcome"], rejected["answer_text"], rejected["signed_by"]) == (
        "rejected",
        "Not confirmed.",
        "representative",
    )
    assert REPRESENTATIVE in rejected["text"]  # signs in public for the organization: kept
    assert "Station No. 101" in rejected["text"]


def test_texts_of_a_district_only(partner_api, shared, unshared):
    client = partner_api(Scope.INCIDENTS_READ)
    assert client.get(texts_url(district=3)).json()["results"] == []
    assert len(client.get(texts_url(district=1)).json()["results"]) == 5


def test_no_observer_identity_is_anywhere_in_a_signed_complaint(partner_api, signed):
    response = partner_api(Scope.INCIDENTS_READ).get(texts_url())

    body = response.content.decode()
    (row,) = response.json()["results"]
    assert row["signed_by"] == "observer"
    assert_no_secret_in(body)
    assert "555-98-76" not in body and "555 98 76" not in body
    # The complainant line, and the witness's name, phone, e-mail, account and surname typed in.
    assert row["text"].count("[…]") == 6
    assert row["answer_text"] == "The complaint of […] ([…]) is unfounded."


def test_no_observer_identity_is_in_the_counts_either(partner_api, signed):
    body = partner_api(Scope.SCORES_READ).get(counts_url()).content.decode()
    assert_no_secret_in(body)


@pytest.mark.parametrize(
    ("url", "scope", "other"),
    [
        (counts_url, Scope.SCORES_READ, Scope.INCIDENTS_READ),
        (texts_url, Scope.INCIDENTS_READ, Scope.SCORES_READ),
    ],
)
def test_each_list_needs_a_key_with_its_scope(api, partner_api, url, scope, other, shared):
    assert api.get(url()).status_code == 401
    refused = partner_api(other).get(url())
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "scope_missing")
    assert partner_api(scope).get(url()).status_code == 200


def test_an_unknown_election_is_404(partner_api):
    response = partner_api().get(reverse("api:partners:complaint_texts", args=["no-such-election"]))
    assert response.status_code == 404


def test_an_observer_token_is_no_partner_key(bearer, secret_observer, shared):
    assert bearer(secret_observer).get(texts_url()).status_code == 401


@pytest.mark.parametrize("count", [1, 20])
def test_a_page_of_texts_takes_the_same_queries_for_1_and_20_complaints(
    count, partner_api, make_incident, coordinator, django_assert_num_queries
):
    reports = [make_incident(minutes=index) for index in range(2)]
    for _ in range(count):
        filed(reports, coordinator)
    client = partner_api(Scope.INCIDENTS_READ)
    client.get(texts_url())  # the key's first use is recorded once

    # The key, the election, the page, its reports' observers, their accounts and their phones.
    with django_assert_num_queries(6):
        response = client.get(texts_url())
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 20])
def test_counts_take_one_query_whatever_the_complaints(
    count, partner_api, make_incident, coordinator, django_assert_num_queries
):
    report = make_incident()
    for _ in range(count):
        filed([report], coordinator)
    client = partner_api(Scope.SCORES_READ)
    client.get(counts_url())

    # The key, the election, the districts with their counts.
    with django_assert_num_queries(3):
        response = client.get(counts_url())
    assert response.json()["results"][0]["filed"] == count
