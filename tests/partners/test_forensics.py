"""Election forensics for partners: the stored tests as JSON and the pictures as SVG."""

import pytest

from counts.forensic_runs import forensics_run
from counts.models import Contest
from tests.counts.test_forensic_runs import DISTRICTS, PER_DISTRICT, country, load

pytestmark = pytest.mark.django_db

FORENSICS = "/api/v1/elections/test-2023/forensics/"
FINGERPRINT = "/api/v1/elections/test-2023/forensics/duma/fingerprint.svg"
DISTRIBUTIONS = "/api/v1/elections/test-2023/forensics/duma/distributions.svg"


@pytest.fixture
def tested(election, tmp_path):
    load(country(tmp_path, whole_percent_district=4), election)
    return forensics_run(contest=Contest.objects.get(code="duma"))


@pytest.mark.parametrize("url", [FORENSICS, FINGERPRINT, DISTRIBUTIONS])
def test_forensics_need_the_scores_scope(partner_api, api, tested, url):
    assert api.get(url).status_code == 401
    assert partner_api("incidents:read").get(url).status_code == 403
    assert partner_api("scores:read").get(url).status_code == 200


def test_the_latest_run_of_each_contest_is_given_with_every_district(partner_api, tested):
    data = partner_api("scores:read").get(FORENSICS).json()
    (contest,) = data["contests"]
    assert (contest["contest"], contest["leader"], contest["seed"]) == ("duma", "edro", tested.seed)
    assert len(contest["districts"]) == DISTRICTS
    planted = next(item for item in contest["districts"] if item["district"] == 4)
    assert planted["integer"]["flagged"] is True
    assert contest["national"]["stations"] == DISTRICTS * PER_DISTRICT


@pytest.mark.parametrize("url", [FINGERPRINT, DISTRIBUTIONS])
def test_the_pictures_are_accessible_svg_nationally_and_per_district(partner_api, tested, url):
    client = partner_api("scores:read")
    for query in ({}, {"district": 4}):
        response = client.get(url, query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        text = response.content.decode()
        assert text.startswith("<svg") and 'role="img"' in text and "<title>" in text and "<desc>" in text
    assert "district 4" in client.get(url, {"district": 4}).content.decode()


def test_the_whole_percent_spikes_of_the_planted_district_are_marked(partner_api, tested):
    client = partner_api("scores:read")
    planted = client.get(DISTRIBUTIONS, {"district": 4}).content.decode()
    clean = client.get(DISTRIBUTIONS, {"district": 5}).content.decode()
    assert planted.count("<circle") > clean.count("<circle")


def test_bad_picture_requests_are_refused_in_the_error_shape(partner_api, tested):
    client = partner_api("scores:read")
    for url in (FINGERPRINT.replace("duma", "senate"), FINGERPRINT.replace("fingerprint", "portrait")):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    for district in ("x", "99"):
        response = client.get(FINGERPRINT, {"district": district})
        assert response.status_code == 400
        assert "district" in response.json()["error"]["fields"]
