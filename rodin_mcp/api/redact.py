"""Keeping secrets out of text: signed URLs, API keys and third-party prose.

Signed asset URLs carry their credential in the query string, and the HTTP library logs full URLs
(``HTTP Request: GET <url>`` at INFO). :func:`install_log_redaction` puts a filter on the HTTP
library's loggers that cuts every URL's query string and fragment before a record is emitted.
"""

from __future__ import annotations

import logging
import re
import unicodedata

__all__ = ["HTTP_LOGGERS", "clean_text", "install_log_redaction", "redact_url"]

HTTP_LOGGERS = (
    "httpx2",
    "httpcore2.connection",
    "httpcore2.http11",
    "httpcore2.http2",
    "httpcore2.proxy",
    "httpcore2.socks",
)

# A URL, split into what may be shown (scheme, host, path) and what may not (query, fragment).
_URL = re.compile(
    r"""(?P<keep>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#'"<>]*)(?P<secret>[?#][^\s'"<>]*)?"""
)


def redact_url(text: str) -> str:
    """Cut the query string and fragment off every URL in ``text``.

    >>> redact_url("GET https://assets.example/a.glb?sig=abc OK")
    'GET https://assets.example/a.glb OK'
    """
    return _URL.sub(lambda match: match.group("keep"), text)


def clean_text(text: str, *, limit: int = 200, secrets: tuple[str, ...] = ()) -> str:
    """Make third-party text safe to show: no control characters, no URL queries, no secrets.

    Args:
        text: The text, for example the ``message`` of a Rodin error body.
        limit: Longest result, in characters; longer text is cut and ends with an ellipsis.
        secrets: Strings that must never appear (the API key); each is replaced by ``[redacted]``.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    text = redact_url(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _RedactURLQueries(logging.Filter):
    """Rewrites a record's message with every URL's query string and fragment removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_url(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_FILTER = _RedactURLQueries()


def install_log_redaction() -> None:
    """Attach the URL-query filter to the HTTP library's loggers (idempotent)."""
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
