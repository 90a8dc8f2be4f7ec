"""What the MCP server keeps for its lifetime: the service, opened on first use.

Opening the service (the ledger, an HTTP client with its TLS context, and in sandbox mode the
embedded emulator) is deferred to the first tool call, so a host's ``initialize`` is answered as
soon as the SDK can. The service is opened and closed by one task that the lifespan owns, as
anyio requires of the task groups inside it.
"""

from __future__ import annotations

import anyio

from rodin_mcp.service import RodinService, open_service
from rodin_mcp.settings import Settings

__all__ = ["AppState"]


class AppState:
    """The lifespan state every tool and resource reads.

    ``public_url`` is the URL this server's own links start from, over HTTP; None over stdio,
    where there are no links.
    """

    def __init__(self, settings: Settings, public_url: str | None = None) -> None:
        self.settings = settings
        self.public_url = public_url
        self._wanted = anyio.Event()
        self._ready = anyio.Event()
        self._stopping = anyio.Event()
        self._service: RodinService | None = None
        self._failure: Exception | None = None

    async def service(self) -> RodinService:
        """The service, opening it on the first call.

        Raises:
            Exception: whatever opening the service raised (for example a ledger that cannot
                be read), on this and every later call.
        """
        self._wanted.set()
        await self._ready.wait()
        if self._service is None:
            assert self._failure is not None
            raise self._failure
        return self._service

    async def keep(self) -> None:
        """Open the service when first wanted, and hold it open until :meth:`stop`."""
        await self._wanted.wait()
        if self._stopping.is_set():
            return
        try:
            async with open_service(self.settings) as service:
                self._service = service
                self._ready.set()
                await self._stopping.wait()
        except Exception as exc:
            self._failure = exc
            self._ready.set()

    def stop(self) -> None:
        """Let :meth:`keep` close the service (or return, if it was never opened)."""
        self._stopping.set()
        self._wanted.set()
