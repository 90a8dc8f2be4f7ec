"""Driving the real server with a real MCP Tasks requester (tools/tasks-requester.mjs, on the
official ``@modelcontextprotocol/ext-tasks`` client), over stdio or Streamable HTTP.

The server runs as a subprocess aimed at an emulator in the test process, so it can be killed
with SIGKILL mid-task while the emulator (and its request log) lives on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from rodin_mcp.emulator import RunningEmulator
from tests.node_tools import node_bin_dir, node_env, tasks_requester
from tests.server.http_server import free_port, serve, wait_until_listening

SERVER_COMMAND = f"{sys.executable} -m rodin_mcp"


def server_env(tmp_path: Path, emulator: RunningEmulator, api_key: str) -> dict[str, str]:
    """The server's settings: the emulator, folders under ``tmp_path``, quick polls, no
    spend question (the requester would decline it)."""
    return {
        "RODIN_API_KEY": api_key,
        "RODIN_BASE_URL": emulator.base_url,
        "RODIN_DATA_DIR": str(tmp_path / "data"),
        "RODIN_OUTPUT_DIR": str(tmp_path / "out"),
        "RODIN_POLL_INITIAL": "0.05",
        "RODIN_POLL_FACTOR": "1.5",
        "RODIN_POLL_MAX": "0.2",
        "RODIN_CONFIRM_SPEND": "never",
        "RODIN_TASK_POLL_MS": "200",
    }


@dataclass
class Requested:
    """What one requester run printed, and how it ended."""

    events: list[dict[str, Any]]
    returncode: int
    stderr: str

    def of(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event]

    def one(self, event: str) -> dict[str, Any]:
        found = self.of(event)
        assert len(found) == 1, (event, self.events, self.stderr[-2000:])
        return found[0]


class Server:
    """Where the requester finds the server: a stdio command it spawns, or an HTTP URL."""

    def __init__(self, transport: str, env: dict[str, str], url: str | None = None) -> None:
        self.transport = transport
        self.env = env
        self.url = url

    def target(self) -> list[str]:
        return ["--http", self.url] if self.url else ["--stdio", SERVER_COMMAND]


@contextmanager
def running_server(
    transport: str, tmp_path: Path, env: dict[str, str]
) -> Generator[tuple[Server, subprocess.Popen[str] | None]]:
    """For HTTP, ``rodin-mcp serve --http`` on a free port (yielded with its process); for stdio,
    only the command (each requester starts its own server)."""
    if transport == "stdio":
        yield Server("stdio", env), None
        return
    port = free_port()
    process = serve(tmp_path, "--port", str(port), env=env)
    try:
        wait_until_listening(port, process)
        yield Server("http", env, f"http://127.0.0.1:{port}/mcp"), process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=20)


def requester_command(server: Server, generation: str, *args: str) -> list[str]:
    node = str(node_bin_dir() / "node")
    return [node, str(tasks_requester()), *server.target(), "--gen", generation, *args]


def requester_env(server: Server, home: Path) -> dict[str, str]:
    # The stdio server inherits the requester's environment.
    return {**node_env(home), **server.env}


def run_requester(
    server: Server, home: Path, generation: str, *args: str, timeout: float = 120
) -> Requested:
    completed = subprocess.run(
        requester_command(server, generation, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=requester_env(server, home),
        check=False,
    )
    return Requested(_events(completed.stdout), completed.returncode, completed.stderr)


def start_requester(
    server: Server, home: Path, generation: str, *args: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        requester_command(server, generation, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=requester_env(server, home),
    )


def read_until(process: subprocess.Popen[str], event: str) -> list[dict[str, Any]]:
    """The requester's events up to and including the first ``event``."""
    assert process.stdout is not None
    seen: list[dict[str, Any]] = []
    for line in process.stdout:
        if line.strip():
            seen.append(json.loads(line))
            if seen[-1]["event"] == event:
                return seen
    raise AssertionError(f"the requester ended before {event!r}: {seen}")


def kill_9(pid: int) -> None:
    """End the process at once (SIGKILL; TerminateProcess on Windows)."""
    psutil.Process(pid).kill()


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    return [child.pid for child in psutil.Process(pid).children()]


def _events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]
