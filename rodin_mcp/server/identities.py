"""Who a request comes from: a person of the core (:class:`~rodin_mcp.people.Person`).

Over stdio, and over HTTP without tokens (loopback only), the caller is the server's local owner.
Over Streamable HTTP with ``RODIN_HTTP_TOKEN``, every request carries one of the configured tokens
(the transport refuses the others), and each token is one person: ``name:token`` names them, a
bare token gets a stable anonymous person (the service derives it from a keyed digest; the token
itself is never stored). Several tokens may share a name, so a person's token can be replaced
without a gap.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from rodin_mcp.people import LOCAL_OWNER, Person
from rodin_mcp.service import RodinService
from rodin_mcp.settings import Settings

__all__ = ["HttpToken", "bearer_token", "http_tokens", "person_of_request"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class HttpToken:
    """One configured bearer token, and the name of its person (None: anonymous)."""

    name: str | None
    token: str

    def __repr__(self) -> str:
        return f"HttpToken(name={self.name!r}, token=<hidden>)"


def http_tokens(settings: Settings) -> list[HttpToken]:
    """The tokens HTTP clients may present: ``RODIN_HTTP_TOKEN``, split at commas; an entry
    ``name:token`` (a name of letters, digits, ``._@-``) names its person."""
    if settings.http_token is None:
        return []
    found: list[HttpToken] = []
    for entry in settings.http_token.get_secret_value().split(","):
        text = entry.strip()
        name, colon, token = text.partition(":")
        if colon and _NAME.match(name) and token.strip():
            found.append(HttpToken(name, token.strip()))
        elif text:
            found.append(HttpToken(None, text))
    return found


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value (the scheme in any case)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def person_of_request(request: Any, settings: Settings, service: RodinService) -> Person:
    """The person an MCP request comes from (``request``: the HTTP request, None on stdio).

    Raises:
        PermissionError: tokens are configured and the request carries none of them (the
            transport refuses such requests before they get here).
    """
    tokens = http_tokens(settings)
    headers = getattr(request, "headers", None)
    if headers is None or not tokens:
        return LOCAL_OWNER
    given = bearer_token(headers.get("authorization")) or ""
    # Every token is compared, so the time taken does not tell which one nearly matched.
    matches = [t for t in tokens if hmac.compare_digest(given.encode(), t.token.encode())]
    if not matches:
        raise PermissionError("the request carries none of the configured bearer tokens")
    return await service.person_of_token(matches[0].token, matches[0].name)
