"""A real `rodin-mcp` stdio server process, driven with raw JSON-RPC so it can be killed.

The soak needs what an SDK client hides: the process, to ``kill -9`` it at any moment. Each call
waits for its answer; when the process dies every waiting call raises :class:`ServerGone`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import anyio
import anyio.abc
from anyio.streams.text import TextReceiveStream

__all__ = ["ServerGone", "StdioServer", "ToolAnswer"]

PROTOCOL = "2025-11-25"


class ServerGone(Exception):
    """The server process ended before it answered."""


class ToolAnswer:
    """A tool call's answer: its text, its structured content and whether it is an error."""

    def __init__(self, result: Mapping[str, Any]) -> None:
        self.is_error = bool(result.get("isError"))
        blocks = cast(list[dict[str, Any]], result.get("content") or [])
        self.text = "\n".join(str(b.get("text", "")) for b in blocks)
        self.structured = cast(dict[str, Any], result.get("structuredContent") or {})


class StdioServer:
    """One server process; :meth:`call` a tool on it, :meth:`kill` it."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self._env = dict(env)
        self._log = log
        self._process: anyio.abc.Process | None = None
        self._next_id = 0
        self._waiting: dict[int, tuple[anyio.Event, list[dict[str, Any]]]] = {}
        self._gone = anyio.Event()
        self.pid = 0
        self.stray_lines: list[str] = []
        self.answers: list[str] = []

    async def start(self, group: anyio.abc.TaskGroup) -> None:
        """Start the process and its reader, then initialize the MCP session."""
        log = self._log.open("ab")
        self._process = await anyio.open_process(
            [sys.executable, "-m", "rodin_mcp", "-v"], env=self._env, stderr=log
        )
        log.close()
        self.pid = self._process.pid
        group.start_soon(self._read)
        await self._request(
            "initialize",
            {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "rodin-soak", "version": "0"},
            },
        )
        await self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> ToolAnswer:
        """Call a tool and wait for its answer.

        Raises:
            ServerGone: the process ended first.
        """
        result = await self._request("tools/call", {"name": tool, "arguments": dict(arguments)})
        self.answers.append(json.dumps(result))
        return ToolAnswer(result)

    def kill(self) -> None:
        """Kill the process (SIGKILL; TerminateProcess on Windows): nothing of it runs any more."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()

    async def close(self) -> None:
        """End the process cleanly: close its stdin, then wait for it."""
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            await process.stdin.aclose()
        with anyio.move_on_after(20):
            await process.wait()
        self.kill()
        await process.wait()

    async def _request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._gone.is_set():
            raise ServerGone()
        self._next_id += 1
        ident = self._next_id
        done, box = anyio.Event(), cast(list[dict[str, Any]], [])
        self._waiting[ident] = (done, box)
        try:
            await self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
            await done.wait()
        finally:
            self._waiting.pop(ident, None)
        if not box:
            raise ServerGone()
        message = box[0]
        if "error" in message:
            raise RuntimeError(f"JSON-RPC error: {message['error']}")
        return cast(dict[str, Any], message["result"])

    async def _send(self, message: dict[str, Any]) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        try:
            await self._process.stdin.send((json.dumps(message) + "\n").encode())
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            raise ServerGone() from None

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        buffer = ""
        try:
            async for text in TextReceiveStream(self._process.stdout):
                buffer += text
                while "\n" in buffer:
                    line, buffer = buffer.split("\n", 1)
                    if line.strip():
                        self._deliver_line(line)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass
        finally:
            self._gone.set()
            for done, _ in list(self._waiting.values()):
                done.set()

    def _deliver_line(self, line: str) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            self.stray_lines.append(line)  # stdout must carry JSON-RPC only
            return
        if isinstance(message, dict):
            self._deliver(cast(dict[str, Any], message))
        else:
            self.stray_lines.append(line)

    def _deliver(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        if not isinstance(ident, int) or "method" in message:
            return  # a notification or a request of the server's (none expected)
        entry = self._waiting.get(ident)
        if entry is not None:
            entry[1].append(message)
            entry[0].set()
