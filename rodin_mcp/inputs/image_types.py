"""Image types told by their magic bytes: the accepted ones, and names for the refused ones.

PNG, JPEG and WEBP are accepted; GIF, BMP, TIFF, HEIC, AVIF and the rest are refused with a message
saying what is accepted, not converted, so that what is uploaded is exactly what was given and no
image decoder runs on untrusted bytes here. A file's name, a data: URI's declared type or a
server's Content-Type never decides the type; the bytes do.
"""

from __future__ import annotations

__all__ = ["ACCEPTED_IMAGE_TYPES", "ACCEPTED_NAMES", "describe_unaccepted", "sniff_image_type"]

ACCEPTED_IMAGE_TYPES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}
"""Accepted content types and the file extension used in the upload part name."""

ACCEPTED_NAMES = "PNG, JPEG or WEBP"
"""The accepted types, as a refusal names them."""

_KNOWN_MAGIC = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF", "a PDF document"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"PK\x03\x04", "a ZIP archive"),
)


def sniff_image_type(data: bytes) -> str | None:
    """The accepted content type the magic bytes of ``data`` show, or None if not PNG/JPEG/WEBP."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def describe_unaccepted(data: bytes) -> str:
    """What ``data`` looks like, for a refusal: ``"a GIF image"``, ``"an HTML page"``..."""
    head = data[:64]
    for magic, name in _KNOWN_MAGIC:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return _describe_iso_media(head[8:12])
    if head[:12].startswith(b"\x00\x00\x00\x0cjP  "):
        return "a JPEG 2000 image"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<svg", b"<?xml")):
        return "an SVG or XML file"
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "an unrecognised file"
    return "text"


def _describe_iso_media(brand: bytes) -> str:
    if brand in (b"avif", b"avis"):
        return "an AVIF image"
    if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "a HEIC image"
    return "a video or ISO media file"
