"""GET /api/v1/elections/{slug}/checklists/{code}/results/: aggregates only (no observer, no station,
no free text), the shares and intervals of tests/checklists/test_results.py, one district with
?district=N, only checklists of organizations that share with partners, and the errors: 400 for a
bad district, 404 for an unknown election or checklist, 401 and 403 for keys."""

import pytest

from checklists.services import checklist_publish
from partners.models import Scope
from people.models import Organization
from stations.models import PollingStation
from tests.checklists.results_case import SECRET_TEXT, build_case, build_definition, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/elections/test-2023/checklists/opening/results/"


@pytest.fixture
def case(election, organization, make_station, make_member, superuser):
    return build_case(election, organization, "zq-observer-login", make_station, make_member, superuser)


def question(body, code):
    return next(item for item in body["questions"] if item["code"] == code)


def answer(item, code):
    return next(entry for entry in item["answers"] if entry["answer"] == code)


def test_a_partner_reads_each_answers_share_with_its_interval(case, partner_api):
    response = partner_api(Scope.SCORES_READ).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["election"], body["checklist"], body["sample_used"], body["district"]) == (
        "test-2023",
        "opening",
        True,
        None,
    )
    yes = answer(question(body, "sealed"), "yes")
    assert yes["sample"]["estimate"] == pytest.approx(8 / 27)
    assert yes["sample"]["standard_error"] == pytest.approx(2 / 27)
    assert yes["sample"]["interval_95"] == pytest.approx([0.15111, 0.44148], abs=1e-5)
    assert (yes["sample"]["stations"], yes["sample"]["population"], yes["sample_count"]) == (5, 9, 3)
    assert yes["all_observed"] == {"value": 0.5, "count": 4, "representative": False}
    mean = answer(question(body, "voters"), "mean")
    assert mean["sample"]["estimate"] == pytest.approx(1300 / 9)
    assert mean["sample_count"] is None


def test_only_aggregates_leave_never_an_observer_a_station_or_a_text(case, partner_api):
    text = partner_api(Scope.SCORES_READ).get(URL).content.decode()
    for secret in (SECRET_TEXT, "zq-observer-login", '"s10"', '"s3"', "observer_"):
        assert secret not in text
    note = question(partner_api(Scope.SCORES_READ).get(URL).json(), "note")
    assert (note["answers"], note["sample_answered"]) == ([], 1)


def test_one_district_with_its_own_figures(case, partner_api):
    body = partner_api(Scope.SCORES_READ).get(URL, {"district": 1}).json()
    assert body["district"] == {"number": 1, "name": "District 1"}
    yes = answer(question(body, "sealed"), "yes")
    assert (yes["sample"]["estimate"], yes["sample"]["standard_error"]) == pytest.approx((2 / 3, 1 / 6))
    lonely = answer(
        question(partner_api(Scope.SCORES_READ).get(URL, {"district": 3}).json(), "sealed"), "yes"
    )
    assert lonely["sample"] is None and lonely["all_observed"]["value"] == 1.0


@pytest.mark.parametrize("district", ["abc", "1.5", "0", "-2", "99", "99999999999"])
def test_a_bad_district_is_refused_with_400(case, partner_api, district):
    response = partner_api(Scope.SCORES_READ).get(URL, {"district": district})
    assert response.status_code == 400
    assert "district" in response.content.decode()


def test_an_unknown_election_or_checklist_is_not_found(case, partner_api):
    client = partner_api(Scope.SCORES_READ)
    assert client.get("/api/v1/elections/test-2023/checklists/closing/results/").status_code == 404
    assert client.get("/api/v1/elections/nowhere/checklists/opening/results/").status_code == 404


def test_keys_need_the_scores_scope_and_strangers_a_key(case, partner_api, api):
    assert api.get(URL).status_code == 401
    assert partner_api(Scope.INCIDENTS_READ).get(URL).status_code == 403


def test_an_organization_that_does_not_share_is_left_out(case, partner_api, organization):
    Organization.objects.filter(pk=organization.pk).update(share_with_partners=False)
    assert partner_api(Scope.SCORES_READ).get(URL).status_code == 404


def test_another_organizations_unshared_answers_do_not_move_the_figures(
    case, partner_api, election, make_member, superuser
):
    # Their observer at s5, where the sharing organization's observer saw an unsealed box.
    hidden = Organization.objects.create(name="Quiet Watch", slug="quiet-watch", share_with_partners=False)
    checklist_publish(checklist=build_definition(election, hidden), by=superuser)
    station = PollingStation.objects.get(number="s5")
    send(make_member("observer-quiet", hidden, stations=[station]), station, 1, {"sealed": True})
    yes = answer(question(partner_api(Scope.SCORES_READ).get(URL).json(), "sealed"), "yes")
    assert yes["sample"]["estimate"] == pytest.approx(8 / 27)
    assert yes["all_observed"]["count"] == 4
