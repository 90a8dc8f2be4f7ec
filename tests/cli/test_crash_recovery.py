"""Crashes and several processes on one data folder, with real `rodin-mcp` subprocesses.

A command killed (SIGKILL, TerminateProcess on Windows) while its submit is on the wire, or while
a file streams in, and several commands firing the identical request at once: the emulator's
request log shows what was paid for, and the output folder what was left behind. The partial-file
case also runs with Windows' file rule imposed on the commands (``tests/file_rules.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rodin_mcp.downloads.temp_files import is_temp_name
from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import COMMAND, LineReader, Run, run_cli
from tests.file_rules import SITE_FOLDER


def _submits(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "rodin")


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.communicate(timeout=30)
    assert process.returncode != 0


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if is_temp_name(p.name)]


def test_a_restart_after_a_kill_during_submit_never_resends_the_identical_request(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=stall:accept")
    with _start(["generate", "a clay owl"], api_env) as first:
        assert emulator.wait_for_stalls(1, timeout=30)
        _kill(first)

    again = run_cli(["generate", "a clay owl"], api_env)

    assert again.code != 0
    assert f"pid {first.pid}" in again.stderr
    assert "--force-new" in again.stderr
    assert _submits(emulator) == 1
    forced = run_cli(["generate", "a clay owl", "--force-new", "--json"], api_env)
    assert forced.code == 0, forced.stderr
    assert _submits(emulator) == 2


def test_processes_firing_the_identical_request_at_once_send_one_post_each_time(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    # Each submit's answer is held half a second, so the others arrive while it is in flight.
    emulator.faults.add("rodin=stall:seconds=0.5:accept:times=*")
    rounds, senders = 4, 3
    for i in range(rounds):
        args = ["generate", f"a paper lantern, take {i}", "--json"]
        with ThreadPoolExecutor(senders) as pool:
            runs: list[Run] = list(pool.map(run_cli, [args] * senders, [api_env] * senders))
        for run in runs:
            assert run.code == 0, run.stderr
        results = [run.json() for run in runs]
        assert len({r["task_uuid"] for r in results}) == 1
        assert sorted(r["reused"] for r in results) == [False] + [True] * (senders - 1)
        assert _submits(emulator) == i + 1


@pytest.mark.parametrize("windows_rule", [False, True], ids=["native-file-rules", "windows-rule"])
def test_a_partial_file_of_a_download_killed_midway_is_gone_after_the_next_start(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path, windows_rule: bool
) -> None:
    if windows_rule:
        paths = [str(SITE_FOLDER), *filter(None, [os.environ.get("PYTHONPATH")])]
        api_env = {**api_env, "PYTHONPATH": os.pathsep.join(paths)}
    made = run_cli(["generate", "a brass bell", "--json"], api_env)
    assert made.code == 0, made.stderr
    task_uuid = made.json()["task_uuid"]
    assert run_cli(["status", task_uuid, "--wait"], api_env).code == 0
    output = tmp_path / "output"
    emulator.faults.add("asset=stall:bytes=4096")
    with _start(["download", task_uuid], api_env) as download:
        assert download.stderr is not None
        LineReader(download.stderr).wait_for("downloading ")
        assert emulator.wait_for_stalls(1, timeout=30)
        _kill(download)
    assert _temp_files(output)  # the stalled file (others may still have been streaming too)

    listed = run_cli(["tasks"], api_env)

    assert listed.code == 0, listed.stderr
    assert _temp_files(output) == []
    fetched = run_cli(["download", task_uuid], api_env)
    assert fetched.code == 0, fetched.stderr
    (folder,) = [p for p in output.iterdir() if p.is_dir()]
    manifest = json.loads((folder / "task.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert _temp_files(output) == []
