"""A bare JSON-RPC peer for the stdio server: for the wire details no SDK client exposes
(2025-11-25 ``params.task``, ``tasks/*``, 2026-07-28 envelopes built by hand)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, Self

MODERN = "2026-07-28"


def sandbox_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment (Windows needs it to start Python) without its RODIN_*
    variables, then the sandbox with folders under ``tmp_path``, then ``extra``."""
    inherited = {k: v for k, v in os.environ.items() if not k.upper().startswith("RODIN_")}
    return inherited | {
        "RODIN_SANDBOX": "1",
        "RODIN_SANDBOX_SPEED": "100",
        "RODIN_DATA_DIR": str(tmp_path / "data"),
        "RODIN_OUTPUT_DIR": str(tmp_path / "out"),
        **extra,
    }


def modern_meta(*, tasks: bool) -> dict[str, Any]:
    """A 2026-07-28 request envelope, declaring the Tasks extension or not."""
    capabilities: dict[str, Any] = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
    return {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": capabilities if tasks else {},
    }


class RawStdio:
    """The server as a subprocess, spoken to one JSON line at a time."""

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "rodin_mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            encoding="utf-8",
        )
        self._next = 0
        self.notifications: list[dict[str, Any]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._process.kill()
        self._process.communicate(timeout=20)

    def handshake(self, version: str) -> dict[str, Any]:
        """``initialize`` at ``version`` then ``notifications/initialized``; the init result."""
        client = {"name": "raw", "version": "0"}
        params = {"protocolVersion": version, "capabilities": {}, "clientInfo": client}
        result = self.result("initialize", params)
        self.notify("notifications/initialized")
        return result

    def notify(self, method: str) -> None:
        self._write({"jsonrpc": "2.0", "method": method})

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response (``result`` or ``error``); notifications on the way are kept."""
        self._next += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next, "method": method}
        if params is not None:
            message["params"] = params
        self._write(message)
        assert self._process.stdout is not None
        for line in self._process.stdout:
            answer = json.loads(line)
            if answer.get("id") == self._next:
                return answer
            self.notifications.append(answer)
        raise AssertionError(f"the server closed its stdout before answering {method}")

    def result(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.request(method, params)
        assert "result" in answer, answer
        return answer["result"]

    def error(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.request(method, params)
        assert "error" in answer, answer
        return answer["error"]

    def _write(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()
