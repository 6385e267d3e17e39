"""Photos as a camera makes them, for the badge photo's tests: a JPEG carrying EXIF (a camera
model, a GPS position, an orientation) and a PNG, both made here with Pillow."""

from __future__ import annotations

import io

from PIL import Image

CAMERA = "SentinelCam 9000"


def jpeg_with_exif(width: int = 300, height: int = 200, orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says: taken on CAMERA, at a GPS position, to be turned a
    quarter (orientation 6: shown upright it is portrait)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {1: "N", 2: (51.0, 27.0, 36.0), 3: "W", 4: (0.0, 10.0, 12.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"a comment")
    return out.getvalue()


def png(width: int = 120, height: int = 160) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 120, 10, 255)).save(out, "PNG")
    return out.getvalue()


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))
