"""Photo intake: check what an observer uploads, strip it to bare pixels and re-encode it.

A photo can identify the observer who took it: GPS position, phone make, model and serial, the
owner's name in XMP, an EXIF thumbnail of the uncropped scene. Nothing of the file received
survives here: the pixels are decoded, turned upright, converted to sRGB and written out again as
a JPEG with no metadata at all. What is kept of the original is its SHA-256 (the evidence seal)
and its capture time.

Pure: no models, no storage. The caller stores what `process_photo` returns.
"""

import functools
import hashlib
import io
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import pillow_heif
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, features
from prometheus_client import Histogram

pillow_heif.register_heif_opener()

MAX_PHOTO_BYTES = 20 * 1024 * 1024
# Below Pillow's own bomb threshold (about 89 megapixels), so our refusal comes first and its
# DecompressionBombWarning never needs catching (warnings.catch_warnings is not thread-safe).
MAX_PIXELS = 60_000_000
# What decoding one photo may hold in memory at its peak: the decoder's own buffers, the decoded
# picture and the one narrow copy it is downscaled through (see _shrink). With the interpreter and a
# 20 MB upload on top, a photo stays under 300 MB of resident memory (bench/photo.py measures the
# worst inputs). Checked from the header, before any pixel is decoded.
DECODE_BUDGET_BYTES = 200 * 1024 * 1024
# Bytes per pixel the decoders Pillow cannot shrink hold at their peak (measured with Pillow 13,
# libwebp 1.5 and libheif 1.23). libwebp's animation decoder, Pillow's only WebP decoder, keeps a
# canvas, the previous frame and a copy for Pillow; libheif keeps the YCbCr planes and an RGB copy,
# more of both for alpha, 10-bit or full-chroma pictures.
WEBP_BYTES_PER_PIXEL = 17
HEIF_BYTES_PER_PIXEL = 8
HEIF_RICH_BYTES_PER_PIXEL = 12
# A progressive JPEG keeps every DCT coefficient of the full-size picture (two bytes each) until its
# last scan, however small the draft it decodes to.
COEFFICIENT_BYTES = 2
# Rows are flattened and shrunk about a megapixel at a time: small copies, few Python iterations.
BAND_PIXELS = 1_000_000
REDUCING_GAP = 2.0
MAX_SIDE = 2560
DECODE_MIN_SIDE = 1600
THUMB_SIDE = 320
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"
# The only decoders that ever see untrusted bytes; Pillow would otherwise try every plugin it has.
OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Pillow calls a JPEG that carries a second picture (many Android phones) "MPO".
SOURCE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "HEIF"}
# Lanczos keeps the handwritten figures of a results protocol legible; see bench/photo.py for its cost.
RESAMPLE = Image.Resampling.LANCZOS
HAS_LCMS = features.check_module("littlecms2")
WHITE = (255, 255, 255)
# The EXIF orientation tag, as ImageOps.exif_transpose reads it.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# How long stripping one photo took, for the operators' dashboards (config/metrics.py reads it out).
PROCESSING_SECONDS = Histogram(
    "baqylau_photo_processing_seconds",
    "Time to check, strip and re-encode one photo: processed, rejected, or failed (an unexpected error).",
    ["outcome"],
    buckets=(0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5, 10),
)


class PhotoRejected(ValueError):
    """A file we will not store. The message is translated and fit to show to the observer."""

    def __init__(self, message: str, *, filename: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    sha256_received: str
    sha256_stored: str
    captured_at: datetime | None
    source_format: str
    content_type: str = CONTENT_TYPE


def _timed(process):
    @functools.wraps(process)
    def timed(*args, **kwargs):
        started, outcome = time.perf_counter(), "failed"
        try:
            photo = process(*args, **kwargs)
            outcome = "processed"
            return photo
        except PhotoRejected:
            outcome = "rejected"
            raise
        finally:
            PROCESSING_SECONDS.labels(outcome=outcome).observe(time.perf_counter() - started)

    return timed


@_timed
def process_photo(data: bytes, *, filename: str = "", default_tz: tzinfo = UTC) -> ProcessedPhoto:
    """Check `data`, and return it upright, in sRGB, longest side at most MAX_SIDE, no metadata.

    The format is decided by decoding, never by `filename`, which only names the file in a
    PhotoRejected. `captured_at` is EXIF DateTimeOriginal with OffsetTimeOriginal; a camera that
    records no offset wrote its local wall-clock time, which is read in `default_tz` (pass the
    polling station's time zone; UTC if not given).
    """
    try:
        source = _decode(data)
    except PhotoRejected as refusal:
        refusal.filename = filename
        raise
    exif = _exif(source)
    source_format, icc_profile = SOURCE_FORMATS[source.format], source.info.get("icc_profile")
    picture = _shrink(source, MAX_SIDE)
    if picture is not source:
        # The full-size pixels go before the colour and JPEG work allocates anything more.
        source.close()
    picture = _upright(_to_srgb(picture, icc_profile), exif)
    thumbnail = _downscale(picture, THUMB_SIDE)
    image_bytes = _encode(picture)
    return ProcessedPhoto(
        image=image_bytes,
        thumbnail=_encode(thumbnail),
        width=picture.width,
        height=picture.height,
        thumb_width=thumbnail.width,
        thumb_height=thumbnail.height,
        sha256_received=hashlib.sha256(data).hexdigest(),
        sha256_stored=hashlib.sha256(image_bytes).hexdigest(),
        captured_at=_captured_at(exif, default_tz),
        source_format=source_format,
    )


def _decode(data: bytes) -> Image.Image:
    """The decoded picture, after every check that can be made before spending memory on it."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("The photo is larger than 20 MB."))
    try:
        image = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
    except Image.DecompressionBombError:
        raise PhotoRejected(_("This image is too large to process safely.")) from None
    except Exception:
        # Hostile bytes make decoders fail in many ways (OSError, SyntaxError, struct.error...):
        # all of them mean the same to the observer.
        raise PhotoRejected(_("This file is not a photo we can read (JPEG, PNG, WebP or HEIC).")) from None
    if image.format not in SOURCE_FORMATS:
        raise PhotoRejected(_("This file is not a photo we can read (JPEG, PNG, WebP or HEIC)."))
    # The header declares the size; refuse before load() allocates it.
    full_size = image.size
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRejected(_("This image is too large to process safely."))
    if image.format in ("JPEG", "MPO"):
        # Let libjpeg shrink by 2, 4 or 8 while decoding, as long as the longest side keeps at
        # least DECODE_MIN_SIDE pixels: a 12-megapixel photo decodes straight to 2000 x 1500,
        # which needs no resize at all and fits the CPU budget (bench/photo.py).
        image.draft("RGB", _fit(image.size, DECODE_MIN_SIDE))
    if _decode_cost(image, full_size) > DECODE_BUDGET_BYTES:
        raise PhotoRejected(_("This image is too large to process safely."))
    try:
        image.load()
    except Exception:
        raise PhotoRejected(_("The photo is damaged or incomplete; take it again.")) from None
    return image


def _decode_cost(image: Image.Image, full_size: tuple[int, int]) -> int:
    """The bytes decoding and shrinking `image` will hold at their peak, from its header alone.

    `image.size` is what the decoder will produce (a JPEG's draft), `full_size` what the file holds.
    """
    pixels = image.width * image.height
    # Pillow keeps 1, 2 or 4 bytes a pixel whatever the file's depth (RGB is padded to four).
    held = pixels * _stored_bytes(image.mode) + _shrink_bytes(image.size)
    if image.format == "WEBP":
        return max(held, pixels * WEBP_BYTES_PER_PIXEL)
    if image.format == "HEIF":
        plain = image.mode == "RGB" and image.info.get("bit_depth") == 8 and image.info.get("chroma") == 420
        return max(held, pixels * (HEIF_BYTES_PER_PIXEL if plain else HEIF_RICH_BYTES_PER_PIXEL))
    if image.format in ("JPEG", "MPO") and image.info.get("progressive"):
        return held + _coefficient_bytes(image, full_size)
    return held


def _stored_bytes(mode: str) -> int:
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _coefficient_bytes(image: Image.Image, full_size: tuple[int, int]) -> int:
    """A progressive JPEG's coefficient buffers: each component at its own sampling of the picture."""
    # Pillow lists each component as (id, horizontal sampling, vertical sampling, quantization table).
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * 4
    most_across = max(layer[1] for layer in layers)
    most_down = max(layer[2] for layer in layers)
    share = sum(layer[1] * layer[2] for layer in layers) / (most_across * most_down)
    return math.ceil(full_size[0] * full_size[1] * share * COEFFICIENT_BYTES)


def _shrink_bytes(size: tuple[int, int]) -> int:
    """What _shrink holds besides the decoded picture: its narrow copy and one band's copies."""
    (_, down), target = _plan(size, MAX_SIDE)
    if target == size:
        # Flattened whole: a transparent picture is converted to RGBA and laid on an RGB copy.
        return size[0] * size[1] * 8
    return target[0] * math.ceil(size[1] / down) * 4 + BAND_PIXELS * 4 * 4


def _exif(image: Image.Image) -> Image.Exif:
    # Read after load(): a PNG may put its eXIf chunk after the pixels. A broken EXIF block costs
    # the orientation and capture time, not the photo.
    try:
        return image.getexif()
    except Exception:
        return Image.Exif()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, L or CMYK, with any transparency laid on white."""
    if image.has_transparency_data:
        # The alpha as a paste mask is "over white" in one RGB copy, with no RGBA one in between.
        overlay = image if image.mode == "RGBA" else image.convert("RGBA")
        background = Image.new("RGB", image.size, WHITE)
        background.paste(overlay, mask=overlay)
        return background
    if image.mode in ("RGB", "L", "CMYK"):
        return image
    if image.mode.startswith("I"):
        # 16-bit grey PNG: keep the top 8 bits rather than clip everything above 255 to white.
        return image.convert("I").point(lambda value: value / 256, "L")
    return image.convert("L" if image.mode == "1" else "RGB")


def _plan(size: tuple[int, int], side: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The box-reduction factors and the final size, as Pillow's resize(reducing_gap=2.0) picks them."""
    target = _fit(size, side)
    factors = tuple(
        max(1, int(whole / part / REDUCING_GAP)) for whole, part in zip(size, target, strict=True)
    )
    return factors, target


def _shrink(image: Image.Image, side: int) -> Image.Image:
    """`image` flattened (see _flatten) and fitted into `side`, a band of rows at a time.

    A whole-picture flatten or resize makes full-size copies (a transparent picture is copied to
    premultiply its alpha, then again to lay it on white). Here each band is flattened, box-reduced
    and resized across on its own, then the narrow result is resized down: only the decoded picture
    and that narrow copy are ever large. The pixels are those of resize(..., reducing_gap=2.0):
    Pillow also resizes across before down, and box reduction never mixes rows of two bands.
    """
    (across, down), (width, height) = _plan(image.size, side)
    if (width, height) == image.size:
        return _flatten(image)
    rows = max(1, BAND_PIXELS // image.width // down) * down
    narrow = None
    for top in range(0, image.height, rows):
        band = _flatten(image.crop((0, top, image.width, min(image.height, top + rows))))
        if (across, down) != (1, 1):
            band = band.reduce((across, down))
        if band.width != width:
            band = band.resize((width, band.height), RESAMPLE, box=(0, 0, image.width / across, band.height))
        if narrow is None:
            narrow = Image.new(band.mode, (width, math.ceil(image.height / down)))
        narrow.paste(band, (0, top // down))
    if narrow.height == height:
        return narrow
    return narrow.resize((width, height), RESAMPLE, box=(0, 0, width, image.height / down))


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = side / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _downscale(image: Image.Image, side: int) -> Image.Image:
    size = _fit(image.size, side)
    if size == image.size:
        return image
    return image.resize(size, RESAMPLE, reducing_gap=2.0)


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The picture in sRGB. A profile we cannot use is dropped: colours shift, nothing leaks."""
    if icc_profile and HAS_LCMS:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
            pass
    return image if image.mode == "RGB" else image.convert("RGB")


def _upright(image: Image.Image, exif: Image.Exif) -> Image.Image:
    # Turned after downscaling, on a fifth of the pixels; same mapping as ImageOps.exif_transpose.
    orientation = exif.get(ExifTags.Base.Orientation, 1)
    method = UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _encode(image: Image.Image) -> bytes:
    # Pillow's JPEG writer takes the comment from `info`, and every derived image inherits the
    # source's EXIF, XMP and ICC profile there. `image` is a decoded picture that nothing else
    # holds, so empty its `info` rather than copy megabytes of pixels.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"")
    return buffer.getvalue()


def _captured_at(exif: Image.Exif, default_tz: tzinfo) -> datetime | None:
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        return None
    stamp = details.get(ExifTags.Base.DateTimeOriginal)
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.strptime(stamp.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        # Cameras with no clock set write "0000:00:00 00:00:00".
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    try:
        zone = datetime.strptime(offset.strip("\x00 "), "%z").tzinfo if isinstance(offset, str) else None
    except ValueError:
        zone = None
    return moment.replace(tzinfo=zone or default_tz)
