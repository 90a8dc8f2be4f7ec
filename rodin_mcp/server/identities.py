"""Who a request comes from, where the transport can tell: the bearer token it presented.

Over Streamable HTTP with ``RODIN_HTTP_TOKEN`` set, every request carries one of the configured
tokens; each token is one client identity, named by a digest (never the token itself). Over
stdio, or HTTP without tokens, there are no identities: whoever holds a task id may read it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rodin_mcp.settings import Settings

__all__ = ["http_tokens", "identity_of_request", "identity_of_token"]


def http_tokens(settings: Settings) -> list[str]:
    """The bearer tokens HTTP clients may present: ``RODIN_HTTP_TOKEN``, split at commas."""
    if settings.http_token is None:
        return []
    return [t.strip() for t in settings.http_token.get_secret_value().split(",") if t.strip()]


def identity_of_token(authorization: str) -> str:
    """The identity of an ``Authorization`` header's value: a digest, never the token."""
    return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]


def identity_of_request(request: Any, settings: Settings) -> str | None:
    """The identity of an HTTP request (None on stdio, or when no tokens are configured)."""
    headers = getattr(request, "headers", None)
    if headers is None or not http_tokens(settings):
        return None
    authorization = headers.get("authorization")
    return identity_of_token(authorization) if authorization else None
