"""The worst photos bench/photo.py can build: each as large as the decode budget of core/photos.py
lets its format through, and each just over it.

Encoding a 26-megapixel HEIC takes about a minute, so the files are kept in the system's temporary
directory and built again only when missing (the name carries the size, so changing it rebuilds).
"""

import io
import random
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "baqylau-bench-photo"


@dataclass(frozen=True)
class Case:
    name: str  # what the input is, as the table shows it
    file: str  # its cache file name; the size is part of it
    build: Callable[[], bytes]
    accepted: bool  # what core/photos.py should do with it


def scene(size: tuple[int, int], mode: str = "RGB"):
    """Smooth light with coarse texture: compresses like a photo, fast to build at any size."""
    from PIL import Image

    rng = random.Random(2024)
    coarse = (max(8, size[0] // 64), max(8, size[1] // 64))
    bands = [
        Image.frombytes("L", coarse, rng.randbytes(coarse[0] * coarse[1])).resize(size) for _ in range(3)
    ]
    light = Image.linear_gradient("L").resize(size)
    picture = Image.merge("RGB", [Image.blend(band, light, 0.5) for band in bands])
    if mode == "RGBA":
        picture.putalpha(Image.radial_gradient("L").resize(size))
        return picture
    return picture if mode == "RGB" else picture.convert(mode)


def blocks(size: tuple[int, int], mode: str = "RGB"):
    """Flat blocks of colour, like a screenshot: a PNG this large still fits the 20 MB upload limit."""
    from PIL import Image

    return scene((size[0] // 16, size[1] // 16), mode).resize(size, Image.Resampling.NEAREST)


def encoded(picture, fmt: str, **params) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_sparse_transparent(size: tuple[int, int]) -> bytes:
    """The finding's case: a huge, almost empty transparent PNG that compresses to a few hundred KB."""
    from PIL import Image

    picture = Image.new("RGBA", size, (0, 0, 0, 0))
    picture.paste((200, 30, 30, 255), (0, 0, size[0] // 8, size[1] // 8))
    return encoded(picture, "PNG", compress_level=9)


def png_grey16(size: tuple[int, int]) -> bytes:

    return encoded(scene(size, "L").point(lambda value: value * 256, "I").convert("I;16"), "PNG")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` but holds a few bytes of pixels: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def heif_claiming(size: tuple[int, int]) -> bytes:
    """A small real HEIC whose `ispe` box claims `size`: what the decoder reads before any pixel."""
    # 256 x 256 needs no clean-aperture crop, so the `ispe` box alone declares the size.
    data = bytearray(encoded(scene((256, 256)), "HEIF", quality=50))
    found = data.find(b"ispe")
    # Box type, then version and flags (4 bytes), then width and height.
    data[found + 8 : found + 16] = struct.pack(">II", *size)
    return bytes(data)


def cases() -> list[Case]:
    heif = "HEIF"
    return [
        Case(
            "PNG RGBA 6800 x 5100",
            "png-rgba-blocks-6800x5100.png",
            lambda: encoded(blocks((6800, 5100), "RGBA"), "PNG"),
            True,
        ),
        Case(
            "PNG 16-bit grey 8000 x 6000", "png-grey16-8000x6000.png", lambda: png_grey16((8000, 6000)), True
        ),
        Case(
            "PNG 16-bit RGBA 6800 x 5100",
            "png-rgba16-blocks-6800x5100.png",
            lambda: png16_rgba((6800, 5100)),
            True,
        ),
        Case(
            "WebP RGBA 4000 x 3000",
            "webp-rgba-4000x3000.webp",
            lambda: encoded(scene((4000, 3000), "RGBA"), "WEBP", quality=80, method=0),
            True,
        ),
        Case(
            "HEIC 8-bit 5900 x 4400",
            "heic-5900x4400.heic",
            lambda: encoded(scene((5900, 4400)), heif, quality=50),
            True,
        ),
        Case(
            "JPEG progressive 8400 x 6300",
            "jpeg-prog-8400x6300.jpg",
            lambda: encoded(scene((8400, 6300)), "JPEG", quality=90, progressive=True),
            True,
        ),
        Case(
            "JPEG progressive CMYK 4500 x 3400",
            "jpeg-prog-cmyk-4500x3400.jpg",
            lambda: encoded(scene((4500, 3400), "CMYK"), "JPEG", quality=90, progressive=True),
            True,
        ),
        Case(
            "JPEG CMYK 8900 x 6700",
            "jpeg-cmyk-8900x6700.jpg",
            lambda: encoded(scene((8900, 6700), "CMYK"), "JPEG", quality=90),
            True,
        ),
        Case(
            "PNG RGBA 7000 x 8500, almost all transparent",
            "png-sparse-7000x8500.png",
            lambda: png_sparse_transparent((7000, 8500)),
            False,
        ),
        Case(
            "WebP RGBA 5000 x 4000",
            "webp-rgba-5000x4000.webp",
            lambda: encoded(scene((5000, 4000), "RGBA"), "WEBP", quality=80, method=0),
            False,
        ),
        Case(
            "HEIC claiming 7000 x 5000",
            "heic-claims-7000x5000.heic",
            lambda: heif_claiming((7000, 5000)),
            False,
        ),
        Case(
            "JPEG progressive CMYK 6000 x 5000",
            "jpeg-prog-cmyk-6000x5000.jpg",
            lambda: encoded(scene((6000, 5000), "CMYK"), "JPEG", quality=90, progressive=True),
            False,
        ),
        Case(
            "PNG bomb claiming 30000 x 30000",
            "png-bomb-30000x30000.png",
            lambda: png_header_only(30_000, 30_000),
            False,
        ),
    ]


def png16_rgba(size: tuple[int, int]) -> bytes:
    """A 16-bit RGBA PNG. Pillow writes only 8-bit colour, so the rows are put together here."""
    from PIL import Image

    width, height = size
    raw = Image.frombytes("L", (width * 4, height), blocks(size, "RGBA").tobytes())
    # Every 8-bit sample v becomes the 16-bit sample v * 257, big-endian: the same byte twice.
    doubled = raw.resize((width * 8, height), Image.Resampling.NEAREST)
    rows = Image.new("L", (width * 8 + 1, height), 0)  # column 0: each row's filter type, none
    rows.paste(doubled, (1, 0))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    pixels = zlib.compress(rows.tobytes(), 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def load(case: Case) -> Path:
    """The case's file, built the first time."""
    path = CACHE / case.file
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(case.build())
        temporary.rename(path)
    return path
