"""Serving the MCP server over stdio or Streamable HTTP.

Who may reach the HTTP server, and how (checked by :func:`check_serving` before anything listens):

- A loopback bind (the default, 127.0.0.1; any of 127.0.0.0/8, ``::1``, ``localhost``) checks the
  Host and Origin of every request against DNS rebinding (``http_guards``). Tokens are optional:
  without them every request acts for this machine's owner.
- Any other bind needs ``RODIN_HTTP_TOKEN`` and TLS: uvicorn serves HTTPS with ``RODIN_TLS_CERT``
  and ``RODIN_TLS_KEY``, or the operator states that a reverse proxy in front terminates it
  (``RODIN_BEHIND_TLS_PROXY``). Tokens never cross the network in clear text.
- Behind a proxy, tokens are required whatever the bind (the proxy lets other machines in), and
  nothing the proxy adds is believed: uvicorn's handling of ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` is off, so a request's client address and scheme are those of the
  connection uvicorn accepted, and no header can make a request look local or encrypted.

The HTTP app, from the outside in: ``http_guards.HostGuard`` (on loopback binds, every route),
then the routes of :func:`http_app` in order; the last one mounts the MCP endpoint (``/mcp``)
behind the bearer-token gate (``http_guards.PeopleGate``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import anyio

from rodin_mcp.errors import UnsafeServingError
from rodin_mcp.server.app import build_server
from rodin_mcp.server.identities import http_tokens
from rodin_mcp.server.link_routes import LinkRoutes
from rodin_mcp.server.link_urls import public_base_url
from rodin_mcp.server.request_size import OversizedRequestWords
from rodin_mcp.settings import Settings, is_loopback_host

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["check_serving", "http_app", "run_http", "run_stdio"]

logger = logging.getLogger(__name__)


def run_stdio(settings: Settings) -> None:
    """Serve MCP over stdio until the host closes the pipe."""
    build_server(settings).run()


def check_serving(settings: Settings, host: str) -> None:
    """Refuse to serve HTTP on ``host`` where others could get in unchecked or read tokens.

    Raises:
        UnsafeServingError: see the module's rules; also when the TLS files cannot be used.
    """
    tokens = http_tokens(settings)
    if settings.behind_tls_proxy and not tokens:
        raise UnsafeServingError(host, "proxy_without_token")
    _check_tls_files(settings, host)
    if is_loopback_host(host):
        return
    if not tokens:
        raise UnsafeServingError(host, "no_token")
    if settings.tls_cert is None and not settings.behind_tls_proxy:
        raise UnsafeServingError(host, "clear_text")


class _EncryptedKeyError(Exception):
    pass


def _refuse_password() -> bytes:
    raise _EncryptedKeyError  # asked only for an encrypted key; there is nobody to type one


def _check_tls_files(settings: Settings, host: str) -> None:
    """Load the certificate and key once, so a problem is a clear refusal, not a traceback."""
    import ssl

    cert, key = settings.tls_cert, settings.tls_key
    if cert is None and key is None:
        return
    if cert is None or key is None:
        raise UnsafeServingError(
            host, "tls_files", "a certificate needs its private key, and a key its certificate."
        )
    for path in (cert, key):
        if not path.is_file():
            raise UnsafeServingError(host, "tls_files", f"{path} is not a file.")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
            cert, key, password=_refuse_password
        )
    except _EncryptedKeyError:
        raise UnsafeServingError(
            host, "tls_files", f"the private key {key} is encrypted; give it unencrypted."
        ) from None
    except (OSError, ssl.SSLError) as exc:
        if isinstance(exc, ssl.SSLError):
            reason = exc.reason or "not PEM"
        else:
            reason = exc.strerror or "unreadable"
        raise UnsafeServingError(
            host,
            "tls_files",
            f"{cert} and {key} are not a PEM certificate and its private key ({reason}).",
        ) from None


def http_app(settings: Settings, host: str, port: int = 8000) -> ASGIApp:
    """The HTTP server's ASGI app: Streamable HTTP at ``/mcp``, with the upload and download
    links beside it under ``/links/`` (authorised by their signatures, not by a token).

    To add a route that carries its own proof (a signed link), put it in ``routes`` before the
    last entry: the Host guard covers it, the bearer-token gate does not, and the app's lifespan
    (the MCP server's) is running whenever it is called.

    Raises:
        UnsafeServingError: :func:`check_serving` refused.
    """
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute, Mount

    from rodin_mcp.server.http_guards import HostGuard, PeopleGate, rebinding_protection

    check_serving(settings, host)
    protection = rebinding_protection(host)
    tokens = http_tokens(settings)
    # With the ledger on PostgreSQL the server is one of several replicas behind a balancer:
    # no request may need a session kept in one replica's memory.
    replica = settings.database_url is not None
    links = LinkRoutes(public_base_url(settings, host, port, tls=settings.tls_cert is not None))
    mcp = build_server(settings, links=links).streamable_http_app(
        host=host, transport_security=protection, stateless_http=replica
    )
    routes: list[BaseRoute] = [
        Mount("/", app=PeopleGate(mcp, tokens) if tokens else mcp),
    ]
    app = Starlette(routes=routes, lifespan=mcp.router.lifespan_context)
    return HostGuard(links.beside(OversizedRequestWords(app)), protection)


def run_http(settings: Settings, host: str, port: int) -> None:
    """Serve MCP over Streamable HTTP at ``http(s)://host:port/mcp``.

    Raises:
        UnsafeServingError: :func:`check_serving` refused.
    """
    import uvicorn

    app = http_app(settings, host, port)
    scheme = "https" if settings.tls_cert is not None else "http"
    shown = f"[{host}]" if ":" in host else host
    logger.warning("rodin-mcp: serving MCP at %s://%s:%d/mcp", scheme, shown, port)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,  # see the module's docstring
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
    )
    anyio.run(uvicorn.Server(config).serve)
