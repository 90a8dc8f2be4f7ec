"""Who a request comes from: a person of the core (:class:`~rodin_mcp.people.Person`).

Over stdio, and over HTTP without tokens (loopback only), the caller is the server's local owner.
Over Streamable HTTP with ``RODIN_HTTP_TOKEN``, every request carries one of the configured tokens
(the transport's gate refuses the others and notes the token it matched on the request), and each
token is one person: ``name:token`` names them, a bare token gets a stable anonymous person (the
service derives it from a keyed digest; the token itself is never stored). Several tokens may
share a name, so a person's token can be replaced without a gap: they are one person, to the
ledger and to the transport alike (:attr:`HttpToken.principal`).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from rodin_mcp.people import LOCAL_OWNER, Person
from rodin_mcp.service import RodinService
from rodin_mcp.settings import Settings

__all__ = [
    "MATCHED_TOKEN",
    "HttpToken",
    "bearer_token",
    "http_tokens",
    "matching_token",
    "person_of_request",
]

MATCHED_TOKEN = "rodin_mcp.http_token"
"""The key of the ASGI scope under which the transport's gate puts the :class:`HttpToken` that a
request carried."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class HttpToken:
    """One configured bearer token, and the name of its person (None: anonymous)."""

    name: str | None
    token: str
    principal: str
    """Who the token stands for, to the transport (which binds each MCP session to one): the
    same for tokens that share a name, never the token itself."""

    def __repr__(self) -> str:
        return f"HttpToken(name={self.name!r}, token=<hidden>, principal={self.principal!r})"


def http_tokens(settings: Settings) -> list[HttpToken]:
    """The tokens HTTP clients may present: ``RODIN_HTTP_TOKEN``, split at commas; an entry
    ``name:token`` (a name of letters, digits, ``._@-``) names its person."""
    if settings.http_token is None:
        return []
    found: list[HttpToken] = []
    anonymous: dict[str, str] = {}
    for entry in settings.http_token.get_secret_value().split(","):
        text = entry.strip()
        name, colon, token = text.partition(":")
        if colon and _NAME.match(name) and token.strip():
            found.append(HttpToken(name, token.strip(), f"name:{name}"))
        elif text:
            # A bare token is its own person (listed twice, still one); numbered, not digested,
            # as the number is all the transport needs and it tells nothing about the token.
            principal = anonymous.setdefault(text, f"anonymous:{len(anonymous) + 1}")
            found.append(HttpToken(None, text, principal))
    return found


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value (the scheme in any case, as RFC
    9110 section 11.1 makes every authentication scheme)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def matching_token(authorization: bytes, tokens: list[HttpToken]) -> HttpToken | None:
    """The configured token an ``Authorization`` header's raw value carries, if any."""
    # Latin-1 maps bytes to characters one to one, so the token's bytes come back as sent and
    # are compared with the configured token's UTF-8.
    given = (bearer_token(authorization.decode("latin-1")) or "").encode("latin-1")
    # Every token is compared, so the time taken does not tell which one nearly matched.
    matches = [t for t in tokens if hmac.compare_digest(given, t.token.encode("utf-8"))]
    return matches[0] if given and matches else None


async def person_of_request(request: Any, settings: Settings, service: RodinService) -> Person:
    """The person an MCP request comes from (``request``: the HTTP request, None on stdio).

    Raises:
        PermissionError: tokens are configured and the request did not pass the transport's
            gate with one of them (the gate refuses such requests before they get here).
    """
    scope = getattr(request, "scope", None)
    if scope is None or not http_tokens(settings):
        return LOCAL_OWNER
    matched = scope.get(MATCHED_TOKEN)
    if not isinstance(matched, HttpToken):
        raise PermissionError("the request did not pass the bearer-token gate")
    return await service.person_of_token(matched.token, matched.name)
