"""``rodin-mcp emulator`` as a subprocess: banner on stderr, HTTP, faults, Ctrl-C, memory."""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
import psutil
import pytest

from rodin_mcp.emulator.command import main
from tests.emulator.helpers import subscription_key

KEY = "commandTestKey0123456789abcdefgh"
MIB = 1024 * 1024

pytestmark = pytest.mark.skipif(
    sys.platform == "win32",
    reason="reads the command's pipes with select(), which takes only sockets on Windows, and "
    "stops it with SIGINT, where Windows has only console events",
)
BASE_URL = re.compile(r"http://127\.0\.0\.1:\d+/api/v2")


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    base_url: str
    banner: str

    def stop(self) -> tuple[int, bytes, bytes]:
        """Ctrl-C, then the exit code and whatever else it wrote."""
        self.popen.send_signal(signal.SIGINT)
        stdout, stderr = self.popen.communicate(timeout=20)
        return self.popen.returncode, stdout, stderr


@contextmanager
def emulator_command(*args: str, env: dict[str, str] | None = None) -> Generator[Process]:
    """Start ``python -m rodin_mcp emulator --port 0 ...`` and wait for its base URL on stderr."""
    popen = subprocess.Popen(
        [sys.executable, "-m", "rodin_mcp", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    try:
        yield Process(popen, *_await_banner(popen))
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.communicate()


def _await_banner(popen: subprocess.Popen[bytes]) -> tuple[str, str]:
    assert popen.stderr is not None
    seen = b""
    deadline = time.monotonic() + 30
    with selectors.DefaultSelector() as selector:
        selector.register(popen.stderr, selectors.EVENT_READ)
        while b"Ctrl-C" not in seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, seen.decode(errors="replace")
            assert popen.poll() is None, seen.decode(errors="replace")
            if selector.select(remaining):
                seen += os.read(popen.stderr.fileno(), 65536)
    text = seen.decode()
    match = BASE_URL.search(text)
    assert match, text
    return match.group(0), text


def test_command_prints_the_base_url_on_stderr_serves_and_exits_0_on_ctrl_c() -> None:
    with emulator_command("--api-key", KEY) as process:
        headers = {"Authorization": f"Bearer {KEY}"}
        balance = httpx2.get(f"{process.base_url}/check_balance", headers=headers)
        refused = httpx2.get(f"{process.base_url}/check_balance")
        code, stdout, stderr = process.stop()

    assert balance.json() == {"balance": 100}
    assert refused.status_code == 401
    assert code == 0
    assert stdout == b""
    assert "only the key given with --api-key is accepted" in process.banner
    assert KEY not in process.banner + stderr.decode()


def test_command_without_a_key_says_any_bearer_token_works() -> None:
    with emulator_command() as process:
        response = httpx2.get(
            f"{process.base_url}/check_balance", headers={"Authorization": "Bearer x"}
        )
        code, _, _ = process.stop()

    assert "any non-empty Bearer token is accepted" in process.banner
    assert response.status_code == 200
    assert code == 0


def test_command_serves_the_texture_and_split_endpoints_without_extra_options() -> None:
    headers = {"Authorization": "Bearer x"}
    with emulator_command() as process:
        texture = httpx2.post(
            f"{process.base_url}/rodin_texture_only",
            files=[("prompt", (None, "red"))],
            headers=headers,
        )
        split = httpx2.post(f"{process.base_url}/bang", json={"asset_id": "x"}, headers=headers)
        process.stop()

    assert texture.json() == {
        "error": "INVALID_REQUEST",
        "message": "Invalid parameter 'image': required.",
    }
    assert split.json()["error"] == "NO_SUCH_TASK"


def test_command_takes_the_fault_plan_from_the_environment() -> None:
    with emulator_command(env={"RODIN_EMULATOR_FAULTS": "check_balance=503"}) as process:
        headers = {"Authorization": "Bearer x"}
        codes = [
            httpx2.get(f"{process.base_url}/check_balance", headers=headers).status_code
            for _ in "ab"
        ]
        process.stop()

    assert codes == [503, 200]
    assert "fault plan: check_balance=503:times=1" in process.banner


def test_faults_option_wins_over_the_environment() -> None:
    with emulator_command(
        "--faults", "check_balance=500", env={"RODIN_EMULATOR_FAULTS": "check_balance=503"}
    ) as process:
        code = httpx2.get(
            f"{process.base_url}/check_balance", headers={"Authorization": "Bearer x"}
        )
        process.stop()

    assert code.status_code == 500


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_command_answers_curl() -> None:
    with emulator_command("--api-key", KEY) as process:
        out = subprocess.run(
            [
                "curl",
                "-s",
                "-H",
                f"Authorization: Bearer {KEY}",
                f"{process.base_url}/check_balance",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
        process.stop()

    assert json.loads(out) == {"balance": 100}


@pytest.mark.parametrize(
    "argv",
    [
        ["--speed", "0"],
        ["--faults", "status=explode"],
        ["--parallelism", "0"],
        ["--asset-rate", "0"],
        ["--asset-latency", "-1"],
        ["--nope"],
    ],
)
def test_bad_options_exit_2_with_a_message_on_stderr(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err


def test_streaming_a_large_asset_does_not_grow_the_emulator_by_its_size() -> None:
    size = 128 * MIB
    args = ["--api-key", KEY, "--speed", "1000000", "--synthetic-asset-bytes", str(size)]
    with (
        emulator_command(*args) as process,
        httpx2.Client(
            base_url=process.base_url + "/", headers={"Authorization": f"Bearer {KEY}"}, timeout=60
        ) as client,
    ):
        body = client.post(
            "rodin", files={"prompt": (None, "a cup"), "tier": (None, "Sketch")}
        ).json()
        assert set(_statuses(client, subscription_key(body))) == {"Done"}
        listing = client.post("download", json={"task_uuid": body["uuid"]}).json()["list"]
        url = next(item["url"] for item in listing if item["name"] == "synthetic.bin")
        baseline = _rss(process.popen.pid)
        peak, received = baseline, 0
        with httpx2.stream("GET", url, timeout=60) as response:
            for index, chunk in enumerate(response.iter_raw()):
                received += len(chunk)
                if index % 64 == 0:
                    peak = max(peak, _rss(process.popen.pid))
        process.stop()

    assert received == size
    assert peak - baseline < 32 * MIB, f"RSS grew by {(peak - baseline) / MIB:.1f} MiB"


def _statuses(client: httpx2.Client, key: str) -> list[str]:
    jobs = client.post("status", json={"subscription_key": key}).json()["jobs"]
    return [job["status"] for job in jobs]


def _rss(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss
