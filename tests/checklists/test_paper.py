"""A published version printed as a paper form: every question code, the labels in the language
asked for with every Kazakh letter intact, boxes, ranges, conditions and critical answers; the
print buttons scoped as the version's admin page is."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from checklists.models import Question
from checklists.paper import version_pdf
from checklists.services import checklist_publish
from checklists.validation import questions_of
from people.models import Role
from tests.checklists.conftest import build_checklist, in_group

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = "әғқңөұүһі"
KAZAKH_LABEL = f"Сайлау жәшігі мөрленді ме? ({KAZAKH_LETTERS})"


@pytest.fixture
def trilingual(election, organization, superuser):
    """The test checklist with the sealed-box question written in all three languages."""
    checklist = build_checklist(election, organization)
    Question.objects.filter(checklist=checklist, code="box_sealed").update(label_kk=KAZAKH_LABEL)
    checklist.name_kk = "Ашылу (Қазақша)"
    checklist.save()
    return checklist_publish(checklist=checklist, by=superuser)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_form_holds_every_question_code(trilingual):
    for language in ("kk", "ru", "en"):
        text = text_of(version_pdf(trilingual, language))
        for question in questions_of(trilingual.definition):
            assert question["code"] in text, (language, question["code"])


def test_kazakh_labels_print_with_every_kazakh_letter(trilingual):
    text = text_of(version_pdf(trilingual, "kk"))

    assert KAZAKH_LABEL in text
    assert "Ашылу (Қазақша)" in text
    # Russian and English labels are not printed where the Kazakh one exists.
    assert "Урна опечатана?" not in text
    assert "Was the box sealed?" not in text


def test_each_language_prints_its_own_labels(trilingual):
    russian = text_of(version_pdf(trilingual, "ru"))
    english = text_of(version_pdf(trilingual, "en"))

    assert "Урна опечатана?" in russian
    assert "До голосования" in russian
    assert KAZAKH_LABEL not in russian
    assert "Was the box sealed?" in english
    assert "Before voting" in english
    assert "Урна опечатана?" not in english


def test_the_form_shows_boxes_ranges_conditions_critical_answers_and_photo_notes(trilingual):
    text = text_of(version_pdf(trilingual, "en"))

    assert "Polling station number" in text
    assert "Observer (name)" in text
    assert "Phase: Opening. Version 1." in text
    assert "☐ Yes" in text
    assert "☐ No (!)" in text  # a sealed box answered "no" is critical
    assert "☐ Nobody (!)" in text
    assert "☐ Materials" in text
    assert "(from 0 to 5000)" in text
    assert "(at least 0)" in text
    assert "hours : minutes" in text
    assert "Answer only if problems is “Materials”." in text
    assert "Photo: attach it to this form, marked with the code box_photo." in text


def test_an_unknown_language_is_refused(trilingual):
    with pytest.raises(ValueError, match="de"):
        version_pdf(trilingual, "de")


def print_url(version, language: str) -> str:
    return reverse("admin:checklists_checklistversion_print", args=[version.pk, language])


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COORDINATOR])
def test_staff_of_the_organization_print_it(client, request, trilingual, role):
    user = request.getfixturevalue(role)
    in_group(user, role.title())
    client.force_login(user)

    page = client.get(reverse("admin:checklists_checklistversion_change", args=[trilingual.pk]))
    response = client.get(print_url(trilingual, "kk"))

    assert print_url(trilingual, "ru") in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="opening-v1-kk.pdf"' in response["Content-Disposition"]
    assert KAZAKH_LABEL in text_of(response.content)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COORDINATOR])
def test_staff_of_another_organization_get_a_404(client, make_member, other_organization, trilingual, role):
    outsider = make_member(f"{role}-b", other_organization, role=role, is_staff=True)
    in_group(outsider, role.title())
    client.force_login(outsider)

    assert client.get(print_url(trilingual, "en")).status_code == 404


def test_an_unknown_language_in_the_address_is_a_404(client, coordinator, trilingual):
    in_group(coordinator, "Coordinator")
    client.force_login(coordinator)

    assert client.get(print_url(trilingual, "de")).status_code == 404


@pytest.mark.parametrize("who", ["observer", "anonymous"])
def test_observers_and_anonymous_are_sent_to_sign_in(client, observer, trilingual, who):
    if who == "observer":
        client.force_login(observer)

    response = client.get(print_url(trilingual, "en"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
