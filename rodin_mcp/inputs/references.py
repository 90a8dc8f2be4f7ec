"""What an image reference may be, how it is cleaned, and the form of it that is safe to show.

Every refusal names its reference by :func:`safe_reference` (also in
:attr:`~rodin_mcp.errors.ImageInputError.reference`): URLs lose their query string and fragment,
which often carry signatures or tokens, and data: URIs are shortened to their header.
"""

from __future__ import annotations

import urllib.parse

__all__ = ["WHAT_TO_PASS", "clean_reference", "safe_reference"]

WHAT_TO_PASS = "an absolute path on this computer, an http(s) URL or a data: URI"
"""The kinds of reference a refusal asks for instead."""


def clean_reference(reference: str) -> str:
    """``reference`` without surrounding blanks and one pair of surrounding quotes."""
    text = reference.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def safe_reference(text: str) -> str:
    """A form of the reference fit for messages: no query strings, no megabytes of base64, no
    control characters (an escape sequence must not reach a terminal), at most 300 characters."""
    return _printable(_shortened(text))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _shortened(text: str) -> str:
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
