"""An observer answers a checklist on a phone: questions appear with the answers that call for them,
faults are caught before anything is queued, a draft outlives a reload, and a checklist filled
offline arrives once, its critical answer an incident report in the review queue."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import CriticalAnswer, Submission, SubmissionPhoto
from checklists.services import checklist_publish
from reports.models import IncidentReport
from tests.checklists.conftest import build_checklist
from tests.e2e.test_csp import RECORD_VIOLATIONS, open_under_policy, violations
from tests.e2e.test_observer import camera_photo, sign_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAFTS = "Object.keys(localStorage).filter((k) => k.startsWith('baqylau-checklist-draft'))"
PHONE_TOKEN = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("baqylau-outbox");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return await new Promise((resolve) => {
    const request = db.transaction("meta").objectStore("meta").get("auth");
    request.onsuccess = () => resolve(request.result.token);
  });
}"""


@pytest.fixture
def phone(phone_page):
    """The phone's page; any script error on it fails the test."""
    errors = []
    phone_page.on("pageerror", lambda error: errors.append(str(error)))
    yield phone_page
    assert errors == []


@pytest.fixture
def opening(election, organization, superuser):
    """The opening checklist of tests/checklists, published, on an election held today."""
    election.date = timezone.localdate()
    election.save()
    return checklist_publish(checklist=build_checklist(election, organization), by=superuser)


def open_checklist(page, base_url: str, station) -> None:
    sign_in(page, base_url)
    page.locator(f"#station-{station.pk}").get_by_role("link", name="Checklists").click()
    expect(page.get_by_role("heading", name="Checklists")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Opening")).click()
    expect(page.get_by_role("heading", name="Opening")).to_be_visible()


def choose(page, question: str, answer: str) -> None:
    page.locator(f"#q-{question} label.choice").filter(has_text=re.compile(f"^{answer}$")).click()


def answer_the_rest(page) -> None:
    page.fill("#a-opened_at", "07:40")
    choose(page, "admitted", "All")
    page.fill("#a-registered", "1200")
    page.fill("#a-voted", "0")


def send(page) -> None:
    page.get_by_role("button", name="Send the checklist").click()


def test_a_conditional_question_appears_only_while_its_condition_holds(
    live_server, phone, observer, station, opening
):
    open_checklist(phone, live_server.url, station)
    missing = phone.locator("#q-missing")
    expect(phone.locator("#q-registered")).to_be_visible()
    expect(missing).to_be_hidden()

    choose(phone, "problems", "Late")
    expect(missing).to_be_hidden()
    choose(phone, "problems", "Materials")
    expect(missing).to_be_visible()
    expect(missing.locator("label")).to_contain_text("Question missing")
    choose(phone, "problems", "Materials")
    expect(missing).to_be_hidden()


def test_missing_and_out_of_range_answers_are_caught_before_anything_is_queued(
    live_server, phone, observer, station, opening
):
    open_checklist(phone, live_server.url, station)
    choose(phone, "problems", "Materials")
    phone.fill("#a-registered", "6000")
    phone.fill("#a-voted", "12a")

    send(phone)

    expect(phone.locator("#e-box_sealed")).to_have_text("This question needs an answer.")
    expect(phone.locator("#e-opened_at")).to_have_text("This question needs an answer.")
    expect(phone.locator("#e-missing")).to_have_text("This question needs an answer.")
    expect(phone.locator("#e-registered")).to_have_text("The answer cannot be more than 5000.")
    expect(phone.locator("#e-voted")).to_have_text("Answer with a whole number.")
    expect(phone.locator("#e-admitted")).to_have_text("")
    # The first question at fault takes the focus.
    expect(phone.locator("#q-box_sealed input").first).to_be_focused()
    expect(phone.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    expect(phone.locator("#outbox-items li")).to_have_count(0)

    # Each fault goes as soon as it is corrected; hiding a question takes its fault away too.
    phone.fill("#a-registered", "1200")
    expect(phone.locator("#e-registered")).to_have_text("")
    choose(phone, "problems", "Materials")
    expect(phone.locator("#e-missing")).to_be_hidden()
    assert Submission.objects.count() == 0


def test_a_half_filled_checklist_is_kept_as_a_draft_across_a_reload(
    live_server, phone, observer, station, opening
):
    open_checklist(phone, live_server.url, station)
    choose(phone, "box_sealed", "Yes")
    phone.fill("#a-opened_at", "07:40")
    choose(phone, "problems", "Materials")
    phone.fill("#a-missing", "No ink for the stamps.")
    phone.fill("#a-registered", "1200")
    expect(phone.locator("[data-flags]")).to_be_hidden()
    phone.fill("#a-voted", "1300")
    # A broken consistency rule is pointed out, never a reason to refuse.
    expect(phone.locator("[data-flags]")).to_contain_text("More voted than registered.")

    phone.reload()

    expect(phone.locator("[data-draft]")).to_contain_text("are back in the form")
    expect(phone.locator("#q-box_sealed input[value=true]")).to_be_checked()
    expect(phone.locator("#a-opened_at")).to_have_value("07:40")
    expect(phone.locator("#q-problems input[value=materials]")).to_be_checked()
    expect(phone.locator("#q-problems input[value=late]")).not_to_be_checked()
    expect(phone.locator("#a-missing")).to_have_value("No ink for the stamps.")
    expect(phone.locator("#a-registered")).to_have_value("1200")
    expect(phone.locator("#a-voted")).to_have_value("1300")
    expect(phone.locator("[data-flags]")).to_contain_text("More voted than registered.")
    # The station's list says a draft waits.
    phone.goto(f"{live_server.url}/observe/stations/{station.pk}/checklists/")
    expect(phone.get_by_role("link", name=re.compile("^Opening"))).to_contain_text("Draft on this phone")
    assert Submission.objects.count() == 0


def test_a_checklist_filled_offline_arrives_once_with_its_photo_and_its_incident(
    live_server, phone, observer, station, opening, tmp_path
):
    page = phone
    sign_in(page, live_server.url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server.url}/observe/stations/{station.pk}/checklists/")
    form_url = f"{live_server.url}/observe/stations/{station.pk}/checklists/opening/"
    # The list keeps each checklist's form on the phone: it opens without a network, never opened before.
    page.wait_for_function(
        "(url) => caches.open('baqylau-pages').then((c) => c.match(url)).then(Boolean)", arg=form_url
    )
    page.context.set_offline(True)
    page.get_by_role("link", name=re.compile("^Opening")).click()
    expect(page.get_by_role("heading", name="Opening")).to_be_visible()

    choose(page, "box_sealed", "No")
    page.set_input_files("#a-box_photo", str(camera_photo(tmp_path)))
    answer_the_rest(page)
    send(page)

    expect(page.locator("form[data-checklist] [data-status]")).to_contain_text("Saved on this phone")
    expect(page.locator("#outbox-summary")).to_have_text("1 waiting")
    expect(page.locator("#q-box_sealed input[value=false]")).not_to_be_checked()
    assert page.evaluate(DRAFTS) == []
    assert Submission.objects.count() == 0

    page.context.set_offline(False)
    assert wait_until(lambda: Submission.objects.count() == 1), "the checklist kept offline did not arrive"
    expect(page.locator("#outbox-items li.sent", has_text="Checklist · Opening")).to_contain_text("Received")
    submission = Submission.objects.get()
    assert (submission.observer, submission.station, submission.version) == (observer, station, opening)
    assert submission.answers == {
        "box_sealed": False,
        "opened_at": "07:40",
        "admitted": "all",
        "registered": 1200,
        "voted": 0,
    }
    photo = SubmissionPhoto.objects.get()
    assert (photo.submission, photo.question, photo.width, photo.height) == (
        submission,
        "box_photo",
        2560,
        1920,
    )
    report = CriticalAnswer.objects.get(submission=submission, question="box_sealed").report
    assert (report.category, report.severity, report.status) == ("unsealed_or_unattended_box", 3, "submitted")
    assert (report.observer, report.station) == (observer, station)

    # The phone sends the same id again (a retry after a lost answer): the same submission, no second.
    retry = {
        "id": str(submission.id),
        "checklist": "opening",
        "version": 1,
        "station": station.pk,
        "answered_at": submission.answered_at.isoformat(),
        "answers": submission.answers,
    }
    response = page.request.post(
        f"{live_server.url}/api/v1/checklist-answers/",
        multipart={"data": json.dumps(retry)},
        headers={"Authorization": f"Bearer {page.evaluate(PHONE_TOKEN)}"},
    )
    assert response.status == 200
    assert response.json()["id"] == str(submission.id)
    page.reload()
    expect(page.locator("#outbox-summary")).to_have_text("nothing waiting to send.")
    assert Submission.objects.count() == 1
    assert IncidentReport.objects.count() == 1


def test_the_checklist_pages_work_under_the_content_security_policy(
    live_server, phone, observer, station, opening
):
    complaints = []
    phone.add_init_script(RECORD_VIOLATIONS)
    phone.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(phone, live_server.url)
    open_under_policy(phone, f"{live_server.url}/observe/stations/{station.pk}/checklists/")
    expect(phone.get_by_role("link", name=re.compile("^Opening"))).to_be_visible()
    open_under_policy(phone, f"{live_server.url}/observe/stations/{station.pk}/checklists/opening/")

    # Drawn by the page's script from the definition the page holds as data, not as a script.
    expect(phone.locator("[data-questions] .cq")).to_have_count(8)
    choose(phone, "problems", "Materials")
    expect(phone.locator("#q-missing")).to_be_visible()
    assert violations(phone, complaints) == []
