import hashlib
import io
import struct
import zlib
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageCms

from core.photos import MAX_PHOTO_BYTES, PhotoRejected, process_photo

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."
TOO_MANY_PIXELS = "This image is too large to process safely."
DAMAGED = "The photo is damaged or incomplete; take it again."
# A real XMP packet carries the owner's name and the device; this one is enough to find in the output.
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Aigerim Observer"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def two_colours(size=(40, 20)) -> Image.Image:
    """Red on the left half, blue on the right, so a rotation shows where each side went."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def observer_exif(*, orientation=1, taken="2024:03:17 10:11:12", offset=None) -> Image.Exif:
    """What a phone writes: make and model, capture time, and where the observer stood."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "SM-A525F"
    exif[ExifTags.Base.Orientation] = orientation
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 10.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (71.0, 26.0, 47.0)
    gps[ExifTags.GPS.GPSMapDatum] = "GPS WGS-84"
    return exif


def encoded(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` but holds a few bytes of pixels: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def assert_bare_jpeg(data: bytes) -> None:
    image = opened(data)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    for marker in (b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"samsung", b"Aigerim"):
        assert marker not in data


def test_it_removes_gps_and_every_other_exif_tag():
    received = encoded(two_colours(), exif=observer_exif(orientation=6))
    assert b"GPS" in received and b"Exif" in received

    photo = process_photo(received, filename="IMG_0001.jpg")

    assert_bare_jpeg(photo.image)
    assert_bare_jpeg(photo.thumbnail)


def test_it_turns_the_photo_upright_from_the_exif_orientation():
    received = encoded(two_colours((40, 20)), exif=observer_exif(orientation=6))

    photo = process_photo(received)

    image = opened(photo.image)
    assert (photo.width, photo.height) == image.size == (20, 40)
    # Orientation 6 means "turn 90 degrees clockwise": the left (red) half ends up on top.
    assert close_to(image.getpixel((10, 8)), RED)
    assert close_to(image.getpixel((10, 32)), BLUE)


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    ("metadata", "marker"),
    [
        pytest.param({"xmp": XMP}, b"http://ns.adobe.com/xap", id="xmp"),
        pytest.param({"icc_profile": SRGB}, b"ICC_PROFILE", id="icc"),
        pytest.param({"comment": b"Aigerim, station 012-000345"}, b"station 012", id="comment"),
        pytest.param({"xmp": XMP, "icc_profile": SRGB, "comment": b"Aigerim"}, b"Aigerim", id="all"),
    ],
)
def test_it_removes_xmp_icc_profiles_and_comments(metadata, marker):
    received = encoded(two_colours(), **metadata)
    assert marker in received

    photo = process_photo(received)

    assert_bare_jpeg(photo.image)
    assert marker not in photo.image and marker not in photo.thumbnail
    assert close_to(opened(photo.image).getpixel((5, 5)), RED)


def test_it_keeps_a_photo_whose_icc_profile_is_unreadable():
    received = encoded(two_colours(), icc_profile=b"not a colour profile" * 10)

    photo = process_photo(received)

    assert_bare_jpeg(photo.image)
    assert close_to(opened(photo.image).getpixel((35, 10)), BLUE)


def test_it_takes_the_capture_time_with_its_offset_from_the_exif():
    received = encoded(two_colours(), exif=observer_exif(taken="2024:03:17 10:11:12", offset="+05:00"))

    photo = process_photo(received)

    assert photo.captured_at == datetime(2024, 3, 17, 10, 11, 12, tzinfo=timezone(timedelta(hours=5)))
    assert photo.captured_at.utcoffset() == timedelta(hours=5)


def test_it_reads_a_capture_time_without_offset_in_utc_by_default():
    received = encoded(two_colours(), exif=observer_exif(taken="2024:03:17 10:11:12"))

    assert process_photo(received).captured_at == datetime(2024, 3, 17, 10, 11, 12, tzinfo=UTC)


def test_it_reads_a_capture_time_without_offset_in_the_time_zone_given():
    received = encoded(two_colours(), exif=observer_exif(taken="2024:03:17 10:11:12"))

    captured_at = process_photo(received, default_tz=ZoneInfo("Asia/Almaty")).captured_at

    assert captured_at == datetime(2024, 3, 17, 10, 11, 12, tzinfo=ZoneInfo("Asia/Almaty"))
    assert captured_at.utcoffset() == timedelta(hours=5)


@pytest.mark.parametrize("taken", ["0000:00:00 00:00:00", "yesterday", None])
def test_it_leaves_the_capture_time_empty_when_the_camera_gave_none(taken):
    received = encoded(two_colours(), exif=observer_exif(taken=taken))

    assert process_photo(received).captured_at is None


def test_it_lays_a_transparent_png_on_white():
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (20, 0, 40, 20))

    photo = process_photo(encoded(image, "PNG"))

    assert photo.source_format == "PNG"
    output = opened(photo.image)
    assert output.mode == "RGB"
    assert close_to(output.getpixel((5, 10)), WHITE)
    assert close_to(output.getpixel((35, 10)), BLUE)


def test_it_accepts_a_webp_and_strips_its_exif():
    received = encoded(two_colours(), "WEBP", exif=observer_exif(orientation=6), quality=90)

    photo = process_photo(received)

    assert photo.source_format == "WEBP"
    assert (photo.width, photo.height) == (20, 40)
    assert_bare_jpeg(photo.image)


def test_it_accepts_a_heic_from_an_iphone_and_strips_its_exif():
    if not pillow_heif.libheif_info()["HEIF"]:
        pytest.skip("this libheif build has no HEVC encoder to write a HEIC test file")
    received = encoded(two_colours(), "HEIF", exif=observer_exif(offset="+06:00").tobytes(), quality=90)

    photo = process_photo(received, filename="IMG_0002.HEIC")

    assert photo.source_format == "HEIF"
    assert (photo.width, photo.height) == (40, 20)
    assert photo.captured_at == datetime(2024, 3, 17, 10, 11, 12, tzinfo=timezone(timedelta(hours=6)))
    assert close_to(opened(photo.image).getpixel((5, 10)), RED)
    assert_bare_jpeg(photo.image)


def test_it_caps_the_longest_side_at_2560_and_the_thumbnail_at_320():
    photo = process_photo(encoded(two_colours((3000, 1500)), "PNG"))

    assert (photo.width, photo.height) == opened(photo.image).size == (2560, 1280)
    assert (photo.thumb_width, photo.thumb_height) == opened(photo.thumbnail).size == (320, 160)
    assert photo.content_type == "image/jpeg"


def test_it_caps_a_large_jpeg_that_libjpeg_shrinks_while_decoding():
    photo = process_photo(encoded(two_colours((6000, 1000)), quality=70))

    assert (photo.width, photo.height) == (2560, 427)
    assert (photo.thumb_width, photo.thumb_height) == (320, 53)
    assert close_to(opened(photo.image).getpixel((100, 200)), RED)
    assert close_to(opened(photo.image).getpixel((2460, 200)), BLUE)


def test_it_never_enlarges_a_small_photo():
    photo = process_photo(encoded(two_colours((300, 200))))

    assert (photo.width, photo.height) == (300, 200)
    assert (photo.thumb_width, photo.thumb_height) == (300, 200)


def test_it_seals_the_bytes_received_and_the_bytes_stored():
    received = encoded(two_colours(), exif=observer_exif())

    photo = process_photo(received)

    assert photo.sha256_received == hashlib.sha256(received).hexdigest()
    assert photo.sha256_stored == hashlib.sha256(photo.image).hexdigest()
    assert photo.sha256_stored != photo.sha256_received


def test_it_decides_the_format_from_the_content_not_the_filename():
    photo = process_photo(encoded(two_colours(), "PNG"), filename="photo.gif")

    assert photo.source_format == "PNG"


def test_it_refuses_a_file_over_20_mb_before_decoding_it():
    # A readable JPEG followed by padding: only the size check can refuse it.
    received = encoded(two_colours()) + bytes(MAX_PHOTO_BYTES)

    with pytest.raises(PhotoRejected) as refusal:
        process_photo(received)

    assert refusal.value.message == "The photo is larger than 20 MB."


def test_it_refuses_a_decompression_bomb_that_pillow_also_catches():
    with pytest.raises(PhotoRejected) as refusal:
        process_photo(png_header_only(30_000, 30_000))

    assert refusal.value.message == TOO_MANY_PIXELS


def test_it_refuses_an_image_over_60_megapixels_before_loading_its_pixels():
    # 72 megapixels: under Pillow's own limit, so only our check stands in the way. Its pixel data
    # is a few bytes, so loading it would fail as "damaged" instead.
    with pytest.raises(PhotoRejected) as refusal:
        process_photo(png_header_only(9_000, 8_000))

    assert refusal.value.message == TOO_MANY_PIXELS


def test_it_refuses_a_truncated_jpeg():
    received = encoded(two_colours((400, 300)).effect_spread(20), quality=95)

    with pytest.raises(PhotoRejected) as refusal:
        process_photo(received[: len(received) // 2])

    assert refusal.value.message == DAMAGED


@pytest.mark.parametrize(
    "received",
    [
        pytest.param(b"Station 12: ballots stuffed at 14:05.\n", id="text"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
            b'<rect width="40" height="20" fill="red"/></svg>',
            id="svg",
        ),
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", id="pdf"),
        pytest.param(encoded(two_colours(), "GIF"), id="gif"),
        pytest.param(b"", id="empty"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_photo_even_if_named_like_one(received):
    with pytest.raises(PhotoRejected) as refusal:
        process_photo(received, filename="photo.jpg")

    assert refusal.value.message == NOT_A_PHOTO
    assert refusal.value.filename == "photo.jpg"
    assert isinstance(refusal.value, ValueError)
