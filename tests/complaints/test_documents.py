import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from complaints import packs
from complaints.documents import canonical, manifest_digest
from complaints.models import ComplaintAction, ComplaintPack, PackStatus
from complaints.services import complaint_draft
from reports.models import ReportPhoto
from tests.complaints.conftest import KAZAKH_LETTERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(station_reports, make_template, reviewer):
    make_template(language="kk", title="Шағым: учаскелік сайлау комиссиясына")
    return complaint_draft(reports=station_reports, addressee_kind="precinct", language="kk", by=reviewer)


def build(complaint, by, capture) -> ComplaintPack:
    with capture(execute=True):
        pack = packs.complaint_pack_request(complaint=complaint, by=by)
    pack.refresh_from_db()
    return pack


def test_the_pdf_carries_the_station_each_seal_and_the_kazakh_letters(
    complaint, reviewer, django_capture_on_commit_callbacks
):
    pack = build(complaint, reviewer, django_capture_on_commit_callbacks)
    assert (pack.status, pack.progress_done, pack.progress_total) == (PackStatus.DONE, 2, 2)
    reader = PdfReader(io.BytesIO(pack.pdf.read()))
    # Lines wrap where the page ends them: compare with the whitespace made single spaces.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "polling station No. 101" in text
    assert KAZAKH_LETTERS in text
    assert "Шағым: учаскелік сайлау комиссиясына" in text
    for photo in ReportPhoto.objects.filter(report__complaints=complaint):
        assert photo.sha256 in text
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    dejavu = [font for font in fonts if "DejaVuSans" in str(font["/BaseFont"])]
    # Embedded: the font program travels in the file, so the letters print on any machine.
    assert dejavu
    assert all("/FontFile2" in font["/FontDescriptor"] for font in dejavu if "/FontDescriptor" in font)
    assert any("/FontDescriptor" in font for font in dejavu)
    assert sum(len(page.images) for page in reader.pages) == 2


def test_the_evidence_pack_manifest_verifies_against_its_files(
    complaint, reviewer, django_capture_on_commit_callbacks
):
    pack = build(complaint, reviewer, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(pack.archive.read()))
    manifest = json.loads(archive.read("manifest.json"))
    unsealed = {key: value for key, value in manifest.items() if key != "manifest_sha256"}
    assert manifest["manifest_sha256"] == hashlib.sha256(canonical(unsealed)).hexdigest()
    assert manifest["manifest_sha256"] == manifest_digest(manifest) == pack.manifest_sha256
    assert manifest["pdf"]["sha256"] == hashlib.sha256(archive.read("complaint.pdf")).hexdigest()
    assert archive.read("complaint.pdf") == pack.pdf.read()
    assert manifest["reports"] == sorted(str(report.pk) for report in complaint.reports.all())
    assert (manifest["complaint"], manifest["station"], manifest["election"]) == (
        complaint.pk,
        "101",
        "test-2023",
    )
    photos = {str(photo.pk): photo for photo in ReportPhoto.objects.filter(report__complaints=complaint)}
    assert {entry["photo_id"] for entry in manifest["photos"]} == set(photos)
    for entry in manifest["photos"]:
        photo = photos[entry["photo_id"]]
        content = archive.read(entry["file"])
        assert content == photo.image.read()
        assert entry["sha256_file"] == hashlib.sha256(content).hexdigest()
        assert (entry["sha256_seal"], entry["report_id"]) == (photo.sha256, str(photo.report_id))
        assert entry["captured_at"] == photo.captured_at.isoformat(timespec="seconds").replace(
            "+00:00", "+00:00"
        )
    assert sorted(archive.namelist()) == sorted(
        ["complaint.pdf", "manifest.json", *(entry["file"] for entry in manifest["photos"])]
    )
    event = complaint.events.get(action=ComplaintAction.PACK)
    assert event.data["manifest_sha256"] == manifest["manifest_sha256"]


def test_a_tampered_manifest_no_longer_verifies(complaint, reviewer, django_capture_on_commit_callbacks):
    pack = build(complaint, reviewer, django_capture_on_commit_callbacks)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(pack.archive.read())).read("manifest.json"))
    manifest["photos"][0]["sha256_seal"] = "0" * 64
    assert manifest_digest(manifest) != manifest["manifest_sha256"]


def test_a_photo_missing_from_storage_is_listed_not_dropped(
    complaint, reviewer, django_capture_on_commit_callbacks
):
    missing = ReportPhoto.objects.filter(report__complaints=complaint).order_by("received_at").first()
    missing.image.storage.delete(missing.image.name)
    pack = build(complaint, reviewer, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.DONE
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(pack.archive.read())).read("manifest.json"))
    entry = next(entry for entry in manifest["photos"] if entry["photo_id"] == str(missing.pk))
    assert (entry["file"], entry["sha256_file"], entry["sha256_seal"]) == (None, None, missing.sha256)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.pdf.read())).pages)
    assert "The photo is missing from storage." in text
    assert missing.sha256 in text


def test_a_finished_build_is_left_alone_when_its_message_comes_again(
    complaint, reviewer, django_capture_on_commit_callbacks
):
    pack = build(complaint, reviewer, django_capture_on_commit_callbacks)
    packs.complaint_pack_build(pack_id=pack.pk)
    again = ComplaintPack.objects.get(pk=pack.pk)
    assert (again.attempt, again.pdf.name) == (1, pack.pdf.name)
    assert complaint.events.filter(action=ComplaintAction.PACK).count() == 1
