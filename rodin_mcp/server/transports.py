"""Serving the MCP server over stdio or Streamable HTTP.

HTTP binds to loopback by default, where the SDK's DNS-rebinding protection is on. Binding to any
other address requires a bearer token (``RODIN_HTTP_TOKEN``) that every request must carry.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from rodin_mcp.errors import ConfigError
from rodin_mcp.server.app import build_server
from rodin_mcp.server.identities import bearer_token, http_tokens
from rodin_mcp.server.link_routes import LinkRoutes
from rodin_mcp.server.link_urls import public_base_url
from rodin_mcp.server.request_size import OversizedRequestWords
from rodin_mcp.settings import Settings

__all__ = [
    "BearerTokenMiddleware",
    "is_loopback",
    "run_http",
    "run_stdio",
]

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BearerTokenMiddleware:
    """Refuses HTTP requests that do not carry ``Authorization: Bearer <token>`` (the scheme in
    any case) for one of the given tokens."""

    def __init__(self, app: ASGIApp, tokens: list[str]) -> None:
        self._app = app
        self._expected = [token.encode() for token in tokens]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
            raw = next((v for k, v in headers if k.lower() == b"authorization"), b"")
            given = (bearer_token(raw.decode("latin-1")) or "").encode("latin-1", "replace")
            # Every token is compared, so the time taken does not tell which one nearly matched.
            matches = [hmac.compare_digest(given, expected) for expected in self._expected]
            if not any(matches):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                        ],
                    }
                )
                await send(
                    {
                        "type": "http.response.body",
                        "body": b'{"error":"unauthorized","message":"Bearer token required."}',
                    }
                )
                return
        await self._app(scope, receive, send)


def run_stdio(settings: Settings) -> None:
    """Serve MCP over stdio until the host closes the pipe."""
    build_server(settings).run()


def http_app(settings: Settings, host: str, port: int = 8000) -> ASGIApp:
    """The Streamable HTTP ASGI app at ``/mcp``, guarded by a token off loopback, with the
    upload and download links beside it under ``/links/`` (authorised by their signatures).

    Raises:
        ConfigError: ``host`` is not loopback and no ``RODIN_HTTP_TOKEN`` is set.
    """
    tokens = http_tokens(settings)
    if not is_loopback(host) and not tokens:
        raise ConfigError(
            f"Refusing to serve on {host}, which other machines can reach, without a token. "
            "Set RODIN_HTTP_TOKEN to a long random secret (clients send it as "
            "'Authorization: Bearer <token>'), or bind to 127.0.0.1."
        )
    links = LinkRoutes(public_base_url(settings, host, port))
    app: ASGIApp = build_server(settings, links=links).streamable_http_app(host=host)
    if tokens:
        app = BearerTokenMiddleware(app, [t.token for t in tokens])
    return links.beside(OversizedRequestWords(app))


def run_http(settings: Settings, host: str, port: int) -> None:
    """Serve MCP over Streamable HTTP at ``http://host:port/mcp``.

    Raises:
        ConfigError: ``host`` is not loopback and no ``RODIN_HTTP_TOKEN`` is set.
    """
    import uvicorn

    app = http_app(settings, host, port)
    logger.warning("rodin-mcp: serving MCP at http://%s:%d/mcp", host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    anyio.run(uvicorn.Server(config).serve)
