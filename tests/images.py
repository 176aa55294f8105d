"""Photos made in code for tests: real JPEG/PNG bytes, with metadata when asked."""

import io

from PIL import Image


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), *, exif: Image.Exif | None = None, quality=90) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes() if exif is not None else b"")
    return buffer.getvalue()


def png_bytes(size=(64, 48), color=(30, 30, 200, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()
