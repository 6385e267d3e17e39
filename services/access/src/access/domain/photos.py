"""What a badge photo must be, and how it is kept: a JPEG or PNG of a sensible size, re-encoded
here as a JPEG of capped dimensions with no metadata at all (no EXIF: no camera, place or time),
turned the right way up first (a phone says how to turn it in the EXIF it is about to lose)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# What is kept: enough for a face at a gate.
MAX_WIDTH, MAX_HEIGHT = 800, 1000
# Refused before decoding: a small file may claim a huge image (a decompression bomb).
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG"}
CONTENT_TYPE = "image/jpeg"
QUALITY = 85


class BadPhoto(ValueError):
    """The file cannot be a badge photo; the message says why, for the person uploading it."""


def reencode(content: bytes) -> bytes:
    """The photo as kept (JPEG, no metadata, at most MAX_WIDTH x MAX_HEIGHT), or BadPhoto."""
    if not content:
        raise BadPhoto("The selected file is empty.")
    if len(content) > MAX_BYTES:
        raise BadPhoto(f"The photo must be smaller than {MAX_BYTES // 1024 // 1024} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                kind, size = probe.format, probe.size
                probe.verify()  # the file's structure, without decoding its pixels
            if kind not in FORMATS:
                raise BadPhoto("The photo must be a JPEG or PNG file.")
            if size[0] * size[1] > MAX_PIXELS:
                raise BadPhoto("The photo is too large: take it again at a lower resolution.")
            with Image.open(io.BytesIO(content)) as image:
                if kind == "JPEG":
                    image.draft("RGB", (MAX_WIDTH * 2, MAX_HEIGHT * 2))  # decode at less
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except BadPhoto:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ) as exc:
        raise BadPhoto("The photo must be a JPEG or PNG file.") from exc
    rgb.thumbnail((MAX_WIDTH, MAX_HEIGHT))
    out = io.BytesIO()
    # A new image from the pixels alone: no EXIF, ICC, XMP or comment goes with it.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    clean.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
