"""The complaint as a document: a PDF with its text and each photo (the stored, stripped copy) with
its SHA-256 seal and capture time, in DejaVu Sans embedded so that every Kazakh letter prints; and
the evidence pack, a ZIP of the PDF, the photos and a manifest whose own digest seals it."""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from complaints.models import Complaint
from complaints.text import local
from core.pdf import pdf_fonts
from core.storage import photo_storage
from reports.models import ReportPhoto

# Photos go into the PDF as the JPEG bytes they are, not ASCII85-encoded: encoding them in pure
# Python took over a second a photo, and the file grew by a quarter for nothing.
rl_config.useA85 = 0

MARGIN = 20 * mm
PHOTO_HEIGHT = 90 * mm
PDF_NAME = "complaint.pdf"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class PhotoFile:
    """A photo of the complaint as stored, read once for both the PDF and the pack."""

    photo_id: str
    report_id: str
    seal: str
    captured_at: datetime | None
    content: bytes | None

    @property
    def archive_name(self) -> str:
        return f"photos/{self.report_id}/{self.photo_id}.jpg"


def complaint_photos(
    complaint: Complaint, on_progress: Callable[[int], None] = lambda done: None
) -> list[PhotoFile]:
    photos = ReportPhoto.objects.filter(report__in=complaint.reports.all()).order_by(
        "report__occurred_at", "received_at", "pk"
    )
    storage, read = photo_storage(), []
    for done, photo in enumerate(photos, 1):
        try:
            with storage.open(photo.image.name, "rb") as source:
                content = source.read()
        except FileNotFoundError:
            # Listed as missing, never silently dropped: whoever checks the evidence must see it.
            content = None
        read.append(PhotoFile(str(photo.pk), str(photo.report_id), photo.sha256, photo.captured_at, content))
        on_progress(done)
    return read


def _photo_caption(complaint: Complaint, photo: PhotoFile) -> str:
    captured = (
        local(photo.captured_at, complaint.election) if photo.captured_at else _("capture time unknown")
    )
    return _("SHA-256 %(seal)s, taken %(captured)s") % {"seal": photo.seal, "captured": captured}


def _photo_flowable(content: bytes, width: float) -> Image:
    image_width, image_height = ImageReader(io.BytesIO(content)).getSize()
    scale = min(width / image_width, PHOTO_HEIGHT / image_height)
    return Image(io.BytesIO(content), width=image_width * scale, height=image_height * scale)


def complaint_pdf(complaint: Complaint, photos: list[PhotoFile]) -> bytes:
    regular, bold = pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=13, leading=17, spaceAfter=10)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    target = io.BytesIO()
    document = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=complaint.template.title if complaint.template else complaint.addressee_name,
        invariant=True,
    )
    story = [
        Paragraph(escape(complaint.template.title if complaint.template else complaint.addressee_name), title)
    ]
    story += [Paragraph(escape(line) or "&nbsp;", body) for line in complaint.text.splitlines()]
    if photos:
        story.append(Spacer(1, 8 * mm))
    for index, photo in enumerate(photos, 1):
        caption = Paragraph(f"{index}. {escape(_photo_caption(complaint, photo))}", small)
        if photo.content is None:
            missing = Paragraph(escape(_("The photo is missing from storage.")), small)
            story.append(KeepTogether([missing, caption]))
            continue
        story.append(
            KeepTogether([_photo_flowable(photo.content, document.width), caption, Spacer(1, 4 * mm)])
        )
    document.build(story)
    return target.getvalue()


def complaint_pdf_now(complaint: Complaint) -> bytes:
    """The complaint's PDF made at once and not stored (an observer's copy to print), its captions
    in the complaint's language like its text."""
    with translation.override(complaint.language):
        return complaint_pdf(complaint, complaint_photos(complaint))


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_digest(manifest: dict) -> str:
    """The manifest's own seal: SHA-256 of its canonical JSON without the seal's field."""
    return hashlib.sha256(
        canonical({k: v for k, v in manifest.items() if k != "manifest_sha256"})
    ).hexdigest()


def _iso(moment) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def pack_manifest(complaint: Complaint, pdf: bytes, photos: list[PhotoFile]) -> dict:
    manifest = {
        "complaint": complaint.pk,
        "election": complaint.election.slug,
        "station": complaint.station.number if complaint.station_id else None,
        "district": complaint.district.number,
        "addressee": complaint.addressee_name,
        "language": complaint.language,
        "status": complaint.status,
        "generated_at": _iso(timezone.now()),
        "reports": sorted(str(pk) for pk in complaint.reports.values_list("pk", flat=True)),
        "pdf": {"file": PDF_NAME, "sha256": hashlib.sha256(pdf).hexdigest()},
        "photos": [
            {
                "file": photo.archive_name if photo.content is not None else None,
                "photo_id": photo.photo_id,
                "report_id": photo.report_id,
                "sha256_seal": photo.seal,
                "sha256_file": hashlib.sha256(photo.content).hexdigest()
                if photo.content is not None
                else None,
                "captured_at": _iso(photo.captured_at),
            }
            for photo in photos
        ],
    }
    manifest["manifest_sha256"] = manifest_digest(manifest)
    return manifest


def evidence_pack(target, complaint: Complaint, pdf: bytes, photos: list[PhotoFile]) -> dict:
    """Write the ZIP into `target` and return its manifest. JPEGs and the PDF are stored as they
    are; only the manifest is compressed."""
    manifest = pack_manifest(complaint, pdf, photos)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(PDF_NAME, pdf)
        for photo in photos:
            if photo.content is not None:
                archive.writestr(photo.archive_name, photo.content)
        archive.writestr(
            MANIFEST_NAME,
            json.dumps(manifest, indent=2, ensure_ascii=False),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return manifest
