"""Safe local names: of a result file (from Rodin's untrusted name) and of a task's folder."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from pathlib import PurePath

from rodin_mcp.errors import UnsafeFileNameError

__all__ = [
    "MAX_NAME_BYTES",
    "deduplicated",
    "local_name",
    "safe_display",
    "safe_file_name",
    "task_folder_name",
]

MAX_NAME_BYTES = 200  # leaves room for a "-NN" suffix and the ".<name>.<hex>.rodin-part" temp name

_UNSAFE_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_DRIVE = re.compile(r"^[A-Za-z]:")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]}
)
_SANE_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


def safe_file_name(name: str) -> str:
    """Reduce a server-supplied file name to one safe, flat file name.

    Keeps only the last component of ``/`` and ``\\`` paths, drops drive letters, control and
    reserved characters (``<>:"|?*``), leading dots, trailing dots and spaces, defuses reserved
    Windows device names (``CON``, ``NUL``, ``COM1``...) and caps the length at
    :data:`MAX_NAME_BYTES` UTF-8 bytes while keeping a sane extension. Deterministic and
    idempotent.

    Raises:
        UnsafeFileNameError: nothing usable remains (for example ``".."`` or ``""``).
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = _DRIVE.sub("", text)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE_CHARS.sub("", text)
    text = text.strip(" ").rstrip(". ")
    if text.startswith(".") and "." not in text.lstrip("."):
        text = "file." + text.lstrip(".")  # ".glb" keeps its extension: "file.glb"
    text = text.lstrip(".")
    if not text:
        raise UnsafeFileNameError("A result file has no usable name; it was given a new one.")
    stem, dot, rest = text.partition(".")
    if stem.upper().rstrip(" ") in _RESERVED:
        text = f"_{stem}{dot}{rest}"
    return _cap_length(text)


def _cap_length(text: str) -> str:
    if len(text.encode()) <= MAX_NAME_BYTES:
        return text
    suffix = PurePath(text).suffix
    if not _SANE_EXTENSION.match(suffix):
        suffix = ""
    stem = text[: len(text) - len(suffix)] if suffix else text
    budget = MAX_NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode(errors="ignore").rstrip(". ")
    return cut + suffix


def deduplicated(name: str, taken: set[str]) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... if taken (compared case-insensitively)."""
    candidate, number = name, 1
    path = PurePath(name)
    while candidate.casefold() in taken:
        number += 1
        suffix = path.suffix if _SANE_EXTENSION.match(path.suffix) else ""
        stem = name[: len(name) - len(suffix)] if suffix else name
        candidate = _cap_length(f"{stem}-{number}{suffix}")
        if candidate.casefold() in taken and len(f"{stem}-{number}{suffix}".encode()) > (
            MAX_NAME_BYTES
        ):
            candidate = f"{uuid.uuid4().hex[:12]}-{number}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def task_folder_name(
    task_uuid: str, prompt: str | None, when: datetime | None = None, *, suffix: str | None = None
) -> str:
    """A readable, safe folder name: ``YYYY-MM-DD_<prompt-slug>_<short task id>``.

    ``suffix`` (``texture``, ``parts``) ends the slug, so a task made from another one sits
    beside it under the same words: ``2026-03-04_red-chair-parts_1a2b3c4d``.
    """
    day = (when or datetime.now().astimezone()).strftime("%Y-%m-%d")
    words = re.findall(
        r"[a-z0-9]+",
        unicodedata.normalize("NFKD", prompt or "").encode("ascii", "ignore").decode().lower(),
    )
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 40:
            break
        slug = f"{slug}-{word}" if slug else word
    short = re.sub(r"[^A-Za-z0-9]", "", task_uuid)[:8] or "task"
    slug = slug or "task"
    if suffix:
        slug = f"{slug}-{re.sub(r'[^a-z0-9]', '', suffix.lower())}"
    return f"{day}_{slug}_{short}"


def local_name(name: str, index: int) -> str:
    """A safe name for the ``index``-th listed file, or ``file-N`` when nothing usable remains."""
    try:
        return safe_file_name(name)
    except UnsafeFileNameError:
        return f"file-{index + 1}"


def safe_display(name: str) -> str:
    """A server-supplied name shortened and stripped for use inside a message."""
    try:
        return repr(safe_file_name(name)[:80])
    except UnsafeFileNameError:
        return "(unnamed)"
