"""A photo is decoded only when what its decoder will hold fits the memory budget, and a large one is
shrunk a band of rows at a time. The sizes that fit are measured in bench/photo.py; here files whose
header claims a size are enough, because the budget is checked before any pixel is decoded."""

import io
import struct
import zlib

import pillow_heif
import pytest
from PIL import Image, ImageChops

from core.photos import PhotoRejected, _shrink, process_photo

TOO_LARGE = "This image is too large to process safely."


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_claiming(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 6) -> bytes:
    """A PNG whose header declares `width` x `height` (RGBA by default) over a few bytes of pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def webp_claiming(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header declares `width` x `height` with alpha."""
    data = bytearray(encoded(Image.new("RGBA", (64, 48), (10, 20, 30, 128)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L" and data[20] == 0x2F
    data[21:25] = struct.pack("<I", (width - 1) | (height - 1) << 14 | 1 << 28)
    return bytes(data)


def jpeg_claiming(width: int, height: int, mode: str, **params) -> bytes:
    """A JPEG whose frame header declares `width` x `height`."""
    data = bytearray(encoded(Image.new(mode, (64, 48)), "JPEG", **params))
    marker = data.find(b"\xff\xc2" if params.get("progressive") else b"\xff\xc0")
    data[marker + 5 : marker + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def refusal(data: bytes) -> str:
    with pytest.raises(PhotoRejected) as refused:
        process_photo(data)
    return refused.value.message


def test_it_refuses_a_huge_transparent_png_before_decoding_its_pixels():
    # 7000 x 8500 is under the 60-megapixel cap, but decoded it would take 238 MB before any copy.
    assert Image.open(io.BytesIO(png_claiming(7000, 8500))).size == (7000, 8500)

    assert refusal(png_claiming(7000, 8500)) == TOO_LARGE


def test_it_refuses_a_16_bit_png_too_large_for_the_budget():
    assert refusal(png_claiming(8000, 7000, bit_depth=16, colour_type=6)) == TOO_LARGE


def test_it_refuses_a_webp_whose_decoder_would_not_fit_the_budget():
    # 16 megapixels: libwebp and Pillow together hold about 17 bytes a pixel, far over 200 MB.
    assert Image.open(io.BytesIO(webp_claiming(4500, 3500))).size == (4500, 3500)

    assert refusal(webp_claiming(4500, 3500)) == TOO_LARGE


def test_it_refuses_a_progressive_cmyk_jpeg_whose_coefficients_would_not_fit():
    # libjpeg keeps 8 bytes a pixel of coefficients for it, however small the draft: 240 MB.
    received = jpeg_claiming(6000, 5000, "CMYK", progressive=True)
    assert Image.open(io.BytesIO(received)).info.get("progressive")

    assert refusal(received) == TOO_LARGE


def test_it_refuses_a_heic_too_large_to_decode_within_the_budget():
    if not pillow_heif.libheif_info()["HEIF"]:
        pytest.skip("this libheif build has no HEVC encoder to write a HEIC test file")
    # 64 x 64 needs no clean-aperture crop, so the `ispe` box alone declares the size.
    data = bytearray(encoded(Image.new("RGB", (64, 64), (200, 30, 30)), "HEIF", quality=50))
    found = data.find(b"ispe")
    data[found + 8 : found + 16] = struct.pack(">II", 7000, 5000)
    assert Image.open(io.BytesIO(bytes(data))).size == (7000, 5000)

    assert refusal(bytes(data)) == TOO_LARGE


def reference(image: Image.Image, side: int) -> Image.Image:
    """What a whole-picture flatten and resize gives: the pixels band-by-band must match."""
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image.convert("RGBA"))
    flat = background.convert("RGB")
    scale = side / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    return flat.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def test_it_shrinks_a_large_transparent_picture_band_by_band_to_the_same_pixels():
    # Wide enough that Pillow box-reduces by 2 before Lanczos, tall enough for several bands.
    image = Image.linear_gradient("L").resize((11_000, 400)).convert("RGBA")
    image.putalpha(Image.radial_gradient("L").resize(image.size))

    shrunk = _shrink(image, 2560)

    expected = reference(image, 2560)
    assert (shrunk.mode, shrunk.size) == ("RGB", expected.size) == ("RGB", (2560, 93))
    assert max(high for _, high in ImageChops.difference(shrunk, expected).getextrema()) <= 2


def test_it_lays_a_large_transparent_png_on_white_while_shrinking_it():
    image = Image.new("RGBA", (6000, 1000), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (3000, 0, 6000, 1000))

    photo = process_photo(encoded(image, "PNG"))

    assert (photo.width, photo.height) == (2560, 427)
    output = Image.open(io.BytesIO(photo.image))
    assert all(abs(a - b) <= 8 for a, b in zip(output.getpixel((300, 200)), (255, 255, 255), strict=True))
    assert all(abs(a - b) <= 8 for a, b in zip(output.getpixel((2200, 200)), (0, 0, 255), strict=True))


def test_it_keeps_the_top_bits_of_a_large_16_bit_grey_png():
    grey = Image.linear_gradient("L").resize((5200, 300)).point(lambda value: value * 256, "I")

    photo = process_photo(encoded(grey.convert("I;16"), "PNG"))

    assert (photo.width, photo.height) == (2560, 148)
    output = Image.open(io.BytesIO(photo.image)).convert("L")
    assert output.getpixel((100, 2)) < 20 and output.getpixel((100, 145)) > 235
