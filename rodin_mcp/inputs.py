"""Turn image references from a person or a model into checked image bytes.

A reference is one of:

- an absolute local path: POSIX (``/home/me/chair.png``, ``~/chair.png``) or, when this server runs
  on Windows, ``C:\\Users\\me\\chair.png``, ``C:/Users/...`` or a UNC path;
- a ``file://`` URI (percent-decoded; ``file:///C:/...`` on Windows);
- a ``data:`` URI, base64 or percent-encoded; a declared type must match the bytes;
- an ``http://`` or ``https://`` URL, fetched here behind the SSRF guard described below.

Every image is checked by its magic bytes. PNG, JPEG and WEBP are accepted; GIF, BMP, TIFF, HEIC,
AVIF and the rest are refused with a message saying what is accepted, not converted, so that what
is uploaded is exactly what was given and no image decoder runs on untrusted bytes here. Images
are numbered ``0000.png``, ``0001.jpg``... in the order given (Rodin treats the first as the main
view).

Local files: any readable regular file by default; if ``settings.allowed_input_dirs`` is set, the
file's real path (symlinks resolved) must lie inside one of those folders. A path from an
assistant's own sandbox (``/mnt/user-data/...``, ``/home/claude/...``) that does not exist here
gets a message explaining that the file is on the assistant's side, not on this computer.

SSRF guard for URLs:

- only ``http`` and ``https``; no user name or password in the URL;
- the host is resolved here and **every** address is checked (:func:`address_refusal`), then the
  connection goes to a checked address, with the ``Host`` header and TLS SNI set to the name, so a
  second DNS answer cannot swap in another address between the check and the connection;
- private, loopback, link-local, ULA, CGNAT and reserved addresses are refused unless
  ``settings.allow_private_image_urls``; unspecified, multicast and cloud metadata addresses are
  refused always;
- redirects are followed here, at most :data:`MAX_REDIRECTS`, each hop checked the same way;
- no cookies, credentials or client default headers are sent: requests are built here, not by the
  client, and sent with ``auth=None``;
- the body is capped at ``settings.max_image_bytes`` while it streams, and the whole fetch
  (resolution, redirects, body) at ``settings.image_fetch_timeout`` seconds.

When an ``http`` client is passed in, it should be one dedicated to image fetching: this module
never adds its headers, cookies or auth, but the client's cookie jar still stores what image
servers set.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import logging
import os
import re
import socket
import stat
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio
import httpx2

from rodin_mcp.errors import ImageInputError
from rodin_mcp.settings import Settings

__all__ = [
    "ACCEPTED_IMAGE_TYPES",
    "MAX_IMAGES",
    "MAX_REDIRECTS",
    "LoadedImage",
    "address_refusal",
    "image_fingerprint",
    "load_images",
    "sniff_image_type",
]

logger = logging.getLogger(__name__)

MAX_IMAGES = 5
"""Rodin takes one to five images per task."""

MAX_REDIRECTS = 5
"""Redirect hops followed when fetching an image URL."""

ACCEPTED_IMAGE_TYPES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}
"""Accepted content types and the file extension used in the upload part name."""

_ACCEPTED_NAMES = "PNG, JPEG or WEBP"
_WHAT_TO_PASS = "an absolute path on this computer, an http(s) URL or a data: URI"

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Assistants' own sandboxes (Claude, ChatGPT, ...). A path there is on the assistant's machine.
_SANDBOX_PREFIXES = (
    "/mnt/user-data/",
    "/mnt/data/",
    "/mnt/outputs/",
    "/mnt/skills/",
    "/mnt/inputs/",
    "/home/claude/",
    "/home/sandbox/",
    "/tmp/outputs/",
    "/tmp/inputs/",
)

_WINDOWS_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_WINDOWS_DRIVE_IN_URI_PATH = re.compile(r"^/[A-Za-z]:([\\/]|$)")
_URI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/=_-]+$")

# Always refused, even with allow_private_image_urls: instance metadata services hand out cloud
# credentials (AWS/GCP/Azure/OCI/DigitalOcean 169.254.169.254, AWS ECS, Azure wire server,
# Alibaba), so no image URL has a reason to reach them.
_CLOUD_METADATA: frozenset[_IPAddress] = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "168.63.129.16",
        "100.100.100.200",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)
_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """One checked input image, ready to upload.

    Attributes:
        filename: The upload part name, ``0000.png``, ``0001.jpg``... in the order given.
        content_type: ``image/png``, ``image/jpeg`` or ``image/webp``, from the magic bytes.
        data: The image bytes, exactly as given.
        sha256: Hex SHA-256 of ``data``.
        source: Where it came from, safe to show (a path, a URL without its query, or a short
            description of a data: URI).
    """

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    sha256: str
    source: str

    @property
    def size(self) -> int:
        """Size of the image in bytes."""
        return len(self.data)


async def load_images(
    references: Sequence[str],
    settings: Settings,
    *,
    http: httpx2.AsyncClient | None = None,
) -> list[LoadedImage]:
    """Load and check the input images named by ``references``, in order.

    Args:
        references: Zero to five image references (paths, ``file://``, ``data:`` or http(s)
            URLs). An empty list gives an empty result; whether a prompt alone is enough is for the
            request model to decide.
        settings: Size, time and folder limits, and whether private URLs may be fetched.
        http: Client used for URL fetches, for tests or to share a pool. It should be dedicated to
            image fetching. When None, a client without proxies, cookies or credentials is made
            for the call.

    Returns:
        The images, numbered in the order given.

    Raises:
        ImageInputError: A reference cannot be used; ``.reference`` names it (URLs without their
            query string, data: URIs shortened).
        TypeError: ``references`` is a single string instead of a sequence of strings.
    """
    if isinstance(references, str):
        raise TypeError("references must be a sequence of strings, not one string")
    refs = list(references)
    if len(refs) > MAX_IMAGES:
        raise ImageInputError(
            f"{len(refs)} images were given; Rodin takes at most {MAX_IMAGES}. "
            f"Pass 1 to {MAX_IMAGES} images."
        )
    images: list[LoadedImage] = []
    for index, reference in enumerate(refs):
        data, source, declared_type = await _load_bytes(reference, settings, http)
        images.append(_checked_image(index, data, source, declared_type, reference, settings))
    return images


def image_fingerprint(images: Sequence[LoadedImage]) -> str:
    """Hex SHA-256 over the images' hashes in order; the same images in the same order match."""
    digest = hashlib.sha256(b"rodin-mcp images v1\n")
    for image in images:
        digest.update(image.sha256.encode("ascii") + b"\n")
    return digest.hexdigest()


def sniff_image_type(data: bytes) -> str | None:
    """The accepted content type the magic bytes of ``data`` show, or None if not PNG/JPEG/WEBP."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def address_refusal(address: _IPAddress, *, allow_private: bool) -> str | None:
    """Why an image URL may not be fetched from ``address``, or None if it may.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are
    judged by the IPv4 address they carry as well as by their own range.

    Args:
        address: A resolved or literal IP address.
        allow_private: Whether private, loopback, link-local and reserved ranges are allowed.
            Unspecified, multicast and cloud metadata addresses are refused either way.

    Returns:
        A short description such as ``"a loopback address"``, or None when allowed.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            address = ipaddress.IPv6Address(int(address))
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            refusal = address_refusal(embedded, allow_private=allow_private)
            if refusal is not None or address.ipv4_mapped is not None:
                return refusal
            if any(address in net for net in _NAT64_PREFIXES):
                return None
    if address in _CLOUD_METADATA:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if allow_private:
        return None
    return _private_refusal(address)


def _private_refusal(address: _IPAddress) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_private:
        return "a private-network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NAT64_PREFIXES):
        return low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return low32
    return None


# --- dispatch -------------------------------------------------------------------------------


async def _load_bytes(
    reference: str, settings: Settings, http: httpx2.AsyncClient | None
) -> tuple[bytes, str, str | None]:
    """The raw bytes, a safe source description and the declared type (data: URIs only)."""
    text = _clean(reference)
    if not text:
        raise ImageInputError(
            f"An image reference is empty. Pass {_WHAT_TO_PASS}.", reference=reference
        )
    if text[:5].lower() == "data:":
        data, declared = _decode_data_uri(text, settings)
        return data, _safe_reference(text), declared
    scheme_match = _URI_SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else None
    if _is_windows_path(text) or (scheme is not None and len(scheme) == 1):
        path = _windows_path(text)
        return await _read_local_async(path, settings), path, None
    if scheme in ("http", "https"):
        return await _fetch_url(text, settings, http), _safe_reference(text), None
    if scheme == "file":
        path = _path_from_file_uri(text)
        return await _read_local_async(path, settings), path, None
    if scheme is not None:
        raise ImageInputError(
            f"'{scheme}:' references are not supported. Pass {_WHAT_TO_PASS}.",
            reference=_safe_reference(text),
        )
    path = _posix_path(text)
    return await _read_local_async(path, settings), path, None


def _clean(reference: str) -> str:
    text = reference.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def _safe_reference(text: str) -> str:
    """A form of the reference fit for messages: no query strings, no megabytes of base64."""
    lowered = text[:8].lower()
    if lowered.startswith("data:"):
        header = text[5:].partition(",")[0][:60]
        return f"data:{header},… ({len(text)} characters)"
    if lowered.startswith(("http://", "https://")):
        try:
            parts = urllib.parse.urlsplit(text)
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            port = f":{parts.port}" if parts.port is not None else ""
        except ValueError:
            return text.split("?", 1)[0].split("#", 1)[0][:200]
        return f"{parts.scheme.lower()}://{host}{port}{parts.path}"[:300]
    return text if len(text) <= 300 else text[:300] + "…"


# --- checks common to every source ----------------------------------------------------------


def _checked_image(
    index: int,
    data: bytes,
    source: str,
    declared_type: str | None,
    reference: str,
    settings: Settings,
) -> LoadedImage:
    safe = _safe_reference(_clean(reference))
    if len(data) > settings.max_image_bytes:
        raise ImageInputError(_too_large(safe, settings), reference=safe)
    if not data:
        raise ImageInputError(f"{safe} is empty (0 bytes). Pass an image file.", reference=safe)
    content_type = sniff_image_type(data)
    if content_type is None:
        raise ImageInputError(
            f"{safe} is {_describe_unaccepted(data)}, not an image Rodin accepts. "
            f"Pass a {_ACCEPTED_NAMES} image (convert it first if needed).",
            reference=safe,
        )
    if declared_type is not None and declared_type != content_type:
        raise ImageInputError(
            f"The data: URI says {declared_type} but its bytes are {content_type}. "
            "Fix the declared type or the data.",
            reference=safe,
        )
    filename = f"{index:04d}{ACCEPTED_IMAGE_TYPES[content_type]}"
    sha256 = hashlib.sha256(data).hexdigest()
    logger.debug("loaded input image %s: %s, %d bytes", filename, content_type, len(data))
    return LoadedImage(
        filename=filename, content_type=content_type, data=data, sha256=sha256, source=source
    )


def _describe_unaccepted(data: bytes) -> str:
    head = data[:64]
    known = (
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"BM", "a BMP image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"%PDF", "a PDF document"),
        (b"\x00\x00\x01\x00", "an ICO icon"),
        (b"PK\x03\x04", "a ZIP archive"),
    )
    for magic, name in known:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC image"
        return "a video or ISO media file"
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


def _too_large(safe: str, settings: Settings) -> str:
    limit_mib = settings.max_image_bytes / (1024 * 1024)
    return (
        f"{safe} is larger than the {limit_mib:g} MiB limit for one image "
        "(RODIN_MAX_IMAGE_BYTES). Pass a smaller image."
    )


# --- data: URIs -----------------------------------------------------------------------------

_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_GENERIC_TYPES = {"", "application/octet-stream", "image/*", "image"}


def _decode_data_uri(text: str, settings: Settings) -> tuple[bytes, str | None]:
    """The bytes of a data: URI and the image type it declares (None if generic)."""
    safe = _safe_reference(text)
    header, comma, payload = text[5:].partition(",")
    if not comma:
        raise ImageInputError(
            "This data: URI has no comma before its data. "
            "Use the form data:image/png;base64,<data>.",
            reference=safe,
        )
    params = [part.strip().lower() for part in header.split(";")]
    is_base64 = "base64" in params[1:]
    media_type = _TYPE_ALIASES.get(params[0], params[0])
    # Bound the work before decoding: no encoding of an image within the cap takes three
    # characters per byte or more (percent-encoding is at most 3, base64 about 1.34).
    if len(payload) > settings.max_image_bytes * 3 + 1024:
        raise ImageInputError(_too_large(safe, settings), reference=safe)
    data = _decode_base64(payload, safe) if is_base64 else urllib.parse.unquote_to_bytes(payload)
    declared = None if media_type in _GENERIC_TYPES else media_type
    return data, declared


def _decode_base64(payload: str, safe: str) -> bytes:
    text = "".join(urllib.parse.unquote(payload).split())
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImageInputError(
            "The data: URI says base64 but its data is not valid base64. "
            "Check that the whole string was passed.",
            reference=safe,
        ) from None


# --- local files ----------------------------------------------------------------------------


def _is_windows_path(text: str) -> bool:
    return bool(_WINDOWS_DRIVE_PATH.match(text)) or text.startswith(("\\\\", "//?/", "\\??\\"))


def _windows_path(text: str) -> str:
    if os.name != "nt":
        raise ImageInputError(
            f"{text} is a Windows path, but this server runs on {_platform_name()}, where that "
            f"file cannot be. Pass {_WHAT_TO_PASS}.",
            reference=text,
        )
    return text  # pragma: no cover - Windows only


def _platform_name() -> str:
    if sys.platform == "darwin":
        return "macOS"
    if sys.platform.startswith("linux"):
        return "Linux"
    return sys.platform


def _posix_path(text: str) -> str:
    expanded = os.path.expanduser(text)
    if not os.path.isabs(expanded):
        if len(text) > 200 and _BASE64_TEXT.match(text):
            raise ImageInputError(
                "This looks like raw base64 data. Pass it as a data: URI "
                "(data:image/png;base64,<data>), or pass a file path or URL instead.",
                reference=_safe_reference(text),
            )
        raise ImageInputError(
            f"{text} is a relative path, and this server cannot know which folder it is relative "
            "to. Pass an absolute path (for example /home/me/pictures/chair.png), "
            "an http(s) URL or a data: URI.",
            reference=text,
        )
    return expanded


def _path_from_file_uri(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    path = urllib.parse.unquote(parts.path)
    host = parts.netloc
    if host and host.lower() != "localhost":
        if os.name == "nt":  # pragma: no cover - Windows only
            return "\\\\" + host + path.replace("/", "\\")
        raise ImageInputError(
            f"This file: URI names another computer ({host}). Pass {_WHAT_TO_PASS}.",
            reference=text,
        )
    if _WINDOWS_DRIVE_IN_URI_PATH.match(path):
        return _windows_path(path[1:])
    if not path.startswith("/"):
        raise ImageInputError(
            f"This file: URI has no absolute path. Use file:///full/path/image.png or pass "
            f"{_WHAT_TO_PASS}.",
            reference=text,
        )
    return path


def _is_sandbox_path(path: str) -> bool:
    normal = path.replace("\\", "/")
    return any(normal.startswith(prefix) or normal == prefix[:-1] for prefix in _SANDBOX_PREFIXES)


async def _read_local_async(path: str, settings: Settings) -> bytes:
    return await anyio.to_thread.run_sync(_read_local, path, settings)


def _read_local(path: str, settings: Settings) -> bytes:
    if _is_sandbox_path(path) and not os.path.lexists(path):
        raise ImageInputError(
            f"{path} is inside the assistant's sandbox, not on this computer, so this server "
            "cannot read it. Save the image on this computer and pass its absolute path, "
            "or pass an http(s) URL or a data: URI.",
            reference=path,
        )
    real = os.path.realpath(path)
    _check_allowed_dirs(path, real, settings)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise ImageInputError(
            f"There is no file at {path}. Check the path; it must be an absolute path on the "
            "computer this server runs on.",
            reference=path,
        ) from None
    except OSError as exc:
        raise ImageInputError(
            f"Cannot read {path}: {exc.strerror or type(exc).__name__}.", reference=path
        ) from None
    _check_regular_file(path, info.st_mode)
    if info.st_size > settings.max_image_bytes:
        raise ImageInputError(_too_large(path, settings), reference=path)
    return _read_capped(path, real, settings.max_image_bytes)


def _check_allowed_dirs(path: str, real: str, settings: Settings) -> None:
    if not settings.allowed_input_dirs:
        return
    real_norm = os.path.normcase(real)
    for folder in settings.allowed_input_dirs:
        root = os.path.normcase(os.path.realpath(os.path.expanduser(folder)))
        try:
            if os.path.commonpath([real_norm, root]) == root:
                return
        except ValueError:  # different drives on Windows
            continue
    folders = os.pathsep.join(str(folder) for folder in settings.allowed_input_dirs)
    raise ImageInputError(
        f"{path} is outside the folders this server may read images from "
        f"(RODIN_ALLOWED_INPUT_DIRS={folders}). Copy the image into one of them and pass that "
        "path.",
        reference=path,
    )


def _check_regular_file(path: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise ImageInputError(
            f"{path} is a folder, not an image file. Pass the path of an image file inside it.",
            reference=path,
        )
    if not stat.S_ISREG(mode):
        raise ImageInputError(
            f"{path} is not a regular file (a device, pipe or socket). Pass an image file.",
            reference=path,
        )


def _read_capped(path: str, real: str, limit: int) -> bytes:
    # O_NOFOLLOW: the real path was checked, so a symlink swapped in since then is refused.
    # O_NONBLOCK: opening a FIFO swapped in since the stat must not hang.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise ImageInputError(
            f"Cannot read {path}: {exc.strerror or type(exc).__name__}.", reference=path
        ) from None
    with open(fd, "rb", closefd=True) as file:
        _check_regular_file(path, os.fstat(file.fileno()).st_mode)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ImageInputError(f"{path} grew past the size limit while being read.", reference=path)
    return data


# --- URLs -----------------------------------------------------------------------------------


async def _fetch_url(url: str, settings: Settings, http: httpx2.AsyncClient | None) -> bytes:
    safe = _safe_reference(url)
    try:
        with anyio.fail_after(settings.image_fetch_timeout):
            if http is not None:
                return await _follow_redirects(url, safe, settings, http)
            async with _new_client(settings) as client:
                return await _follow_redirects(url, safe, settings, client)
    except TimeoutError:
        raise ImageInputError(
            f"Fetching {safe} took longer than {settings.image_fetch_timeout:g} s "
            "(RODIN_IMAGE_FETCH_TIMEOUT). Try again later, or save the image on this computer "
            "and pass its path.",
            reference=safe,
        ) from None


def _new_client(settings: Settings) -> httpx2.AsyncClient:
    # trust_env=False: no proxy variables, no .netrc credentials.
    return httpx2.AsyncClient(
        trust_env=False,
        follow_redirects=False,
        timeout=httpx2.Timeout(settings.image_fetch_timeout),
    )


async def _follow_redirects(
    url: str, safe: str, settings: Settings, client: httpx2.AsyncClient
) -> bytes:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = _parse_fetch_url(current, safe)
        addresses = await _checked_addresses(target, safe, settings)
        response = await _send_pinned(client, target, addresses, safe)
        try:
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                current = _redirect_target(target, location, safe)
                continue
            if response.status_code != 200:
                raise ImageInputError(
                    f"{safe} answered HTTP {response.status_code}; no image was fetched. "
                    "Check the URL, or save the image and pass its path.",
                    reference=safe,
                )
            return await _read_body_capped(response, safe, settings)
        finally:
            await response.aclose()
    raise ImageInputError(
        f"{safe} redirected more than {MAX_REDIRECTS} times. Pass the final image URL.",
        reference=safe,
    )


def _redirect_target(target: httpx2.URL, location: str, safe: str) -> str:
    try:
        return str(target.join(location))
    except httpx2.InvalidURL:
        raise ImageInputError(
            f"{safe} redirected to an invalid URL. Pass the final image URL.", reference=safe
        ) from None


def _parse_fetch_url(text: str, safe: str) -> httpx2.URL:
    try:
        url = httpx2.URL(text)
    except httpx2.InvalidURL:
        raise ImageInputError(f"{safe} is not a valid URL.", reference=safe) from None
    if url.scheme not in ("http", "https"):
        raise ImageInputError(
            f"{safe} led to a '{url.scheme}:' URL; only http and https URLs are fetched.",
            reference=safe,
        )
    if url.userinfo:
        raise ImageInputError(
            "Image URLs with a user name or password are not accepted. "
            "Pass a public URL, or save the image and pass its path.",
            reference=safe,
        )
    if not url.host:
        raise ImageInputError(f"{safe} has no host name.", reference=safe)
    return url


async def _checked_addresses(target: httpx2.URL, safe: str, settings: Settings) -> list[str]:
    """Resolve the host of ``target`` and check every address; return them in resolver order."""
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses: list[_IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = await _resolve(target.raw_host.decode("ascii"), port, safe)
    for address in addresses:
        refusal = address_refusal(address, allow_private=settings.allow_private_image_urls)
        if refusal is None:
            continue
        hint = (
            " (RODIN_ALLOW_PRIVATE_IMAGE_URLS=true allows private-network URLs)"
            if address_refusal(address, allow_private=True) is None
            else ""
        )
        raise ImageInputError(
            f"{safe} leads to {address}, {refusal}; this server does not fetch images from "
            f"such addresses{hint}. Pass a public image URL, or save the image and pass its path.",
            reference=safe,
        )
    return [str(address) for address in addresses]


async def _resolve(host: str, port: int, safe: str) -> list[_IPAddress]:
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ImageInputError(
            f"The host of {safe} could not be found. Check the URL.", reference=safe
        ) from None
    addresses: list[_IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ImageInputError(f"The host of {safe} has no address.", reference=safe)
    return addresses


async def _send_pinned(
    client: httpx2.AsyncClient, target: httpx2.URL, addresses: list[str], safe: str
) -> httpx2.Response:
    """Send a GET for ``target`` to the first checked address that accepts a connection."""
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Accept": "image/png, image/jpeg, image/webp;q=0.9, */*;q=0.1",
        "Accept-Encoding": "identity",
        "User-Agent": "rodin-mcp",
    }
    extensions: dict[str, object] = {}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.raw_host.decode("ascii")
    for address in addresses:
        request = httpx2.Request(
            "GET", target.copy_with(host=address), headers=headers, extensions=extensions
        )
        try:
            return await client.send(request, stream=True, auth=None, follow_redirects=False)
        except httpx2.ConnectError:
            continue
        except httpx2.TimeoutException:
            raise TimeoutError from None
        except httpx2.HTTPError as exc:
            raise ImageInputError(
                f"Fetching {safe} failed: {type(exc).__name__}. Check the URL, or save the image "
                "and pass its path.",
                reference=safe,
            ) from None
    raise ImageInputError(
        f"Could not connect to the host of {safe}. Check the URL, or save the image and pass its "
        "path.",
        reference=safe,
    )


async def _read_body_capped(response: httpx2.Response, safe: str, settings: Settings) -> bytes:
    limit = settings.max_image_bytes
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ImageInputError(_too_large(safe, settings), reference=safe)
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise ImageInputError(_too_large(safe, settings), reference=safe)
    except httpx2.TimeoutException:
        raise TimeoutError from None
    except httpx2.HTTPError as exc:
        raise ImageInputError(
            f"The download of {safe} broke off ({type(exc).__name__}). Try again.",
            reference=safe,
        ) from None
    return bytes(body)
