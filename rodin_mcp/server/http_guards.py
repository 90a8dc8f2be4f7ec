"""What stands between the network and the server's HTTP routes.

- :func:`rebinding_protection`: on a loopback bind (anything in 127.0.0.0/8, ``::1``,
  ``localhost``), the Host a request names must be one of this machine's loopback names, and its
  Origin, when it has one, a page on one of them. A web page elsewhere whose name an attacker
  points at 127.0.0.1 (DNS rebinding) sends its own name and is refused: 421 for the Host, 403
  for the Origin. The MCP SDK turns this on by itself only for 127.0.0.1, ``localhost`` and
  ``::1``; the settings made here cover every loopback bind, and the SDK's own check applies them
  (its ``TransportSecurityMiddleware``, so the answers are the SDK's).
- :class:`HostGuard` applies them to every route of the app, the MCP endpoint and whatever is
  mounted beside it.
- :class:`PeopleGate`, with tokens, refuses a request that carries none of them (401) and marks
  the others with their person: the SDK's authenticated user for the token's principal (the SDK
  then binds each MCP session to the principal that opened it, answering another principal's
  request for that session as for an unknown session, and seals 2026-07-28 request state to the
  principal), and the matched token for :func:`~rodin_mcp.server.identities.person_of_request`.
"""

from __future__ import annotations

import ipaddress

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.authentication import AuthCredentials
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rodin_mcp.server.identities import MATCHED_TOKEN, HttpToken, matching_token
from rodin_mcp.settings import is_loopback_host

__all__ = ["HostGuard", "PeopleGate", "rebinding_protection"]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def rebinding_protection(host: str) -> TransportSecuritySettings | None:
    """The Host and Origin checks for a bind to ``host``: None off loopback, where every request
    needs a bearer token instead (a web page cannot send one: it would need a CORS preflight that
    this server never answers)."""
    if not is_loopback_host(host):
        return None
    names = sorted({_host_name(host), *_LOOPBACK_NAMES})
    hosts = [pattern for name in names for pattern in (name, f"{name}:*")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"{scheme}://{host}" for scheme in ("http", "https") for host in hosts],
    )


def _host_name(host: str) -> str:
    """``host`` as a Host header names it: an IPv6 address in brackets, compressed."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.lower()
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


class HostGuard:
    """Refuses HTTP requests whose Host or Origin the protection settings do not allow."""

    def __init__(self, app: ASGIApp, protection: TransportSecuritySettings | None) -> None:
        self._app = app
        self._check = TransportSecurityMiddleware(protection) if protection else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._check is not None and scope["type"] == "http":
            # Not a POST to the MCP endpoint as such: its JSON content type is the SDK's to check.
            refusal = await self._check.validate_request(Request(scope), is_post=False)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self._app(scope, receive, send)


class PeopleGate:
    """Lets through only HTTP requests carrying ``Authorization: Bearer <token>`` (the scheme in
    any case) for one of ``tokens``, each marked with its token's person."""

    def __init__(self, app: ASGIApp, tokens: list[HttpToken]) -> None:
        self._app = AuthContextMiddleware(app)
        self._tokens = tokens
        # The SDK compares (client_id, issuer, subject); the principal alone tells people apart.
        self._users = {
            t.principal: AuthenticatedUser(AccessToken(token="", client_id=t.principal, scopes=[]))
            for t in tokens
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        raw = next((v for k, v in headers if k.lower() == b"authorization"), b"")
        matched = matching_token(raw, self._tokens)
        if matched is None:
            refusal = Response(
                b'{"error":"unauthorized","message":"Bearer token required."}',
                status_code=401,
                media_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
            await refusal(scope, receive, send)
            return
        marked = {
            **scope,
            "user": self._users[matched.principal],
            "auth": AuthCredentials(),
            MATCHED_TOKEN: matched,
        }
        await self._app(marked, receive, send)
