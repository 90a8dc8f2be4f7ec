"""Ctrl-C while waiting: exit 130, no traceback, the task resumable and still in the ledger."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.cli.helpers import COMMAND, RUN_TIMEOUT, LineReader, run_cli


# Windows cannot send Ctrl-C to one child: CTRL_C_EVENT goes to a whole console group, and a
# child in a group of its own ignores it (CREATE_NEW_PROCESS_GROUP disables Ctrl-C).
@pytest.mark.skipif(os.name == "nt", reason="Ctrl-C cannot be sent to one process on Windows")
def test_ctrl_c_while_waiting_exits_130_with_a_resume_hint_and_keeps_the_task(
    slow_api_env: dict[str, str],
) -> None:
    with subprocess.Popen(
        [*COMMAND, "generate", "a wooden chair", "--wait"],
        env=slow_api_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    ) as child:
        try:
            stderr = LineReader(child.stderr)
            stderr.wait_for("waiting:")  # the first status arrived: the command now waits
            child.send_signal(signal.SIGINT)
            assert child.stdout is not None
            stdout = child.stdout.read()
            child.wait(timeout=RUN_TIMEOUT)
            messages = stderr.rest()
        finally:
            if child.poll() is None:
                child.kill()

    assert child.returncode == 130
    task = stdout.split("Submitted task ")[1].split()[0]
    assert "Traceback" not in messages
    assert f"Task {task} keeps running at Rodin" in messages
    assert f"rodin-mcp status {task} --wait" in messages
    assert f"rodin-mcp download {task}" in messages
    listed = run_cli(["tasks", "--json"], slow_api_env)
    assert [t["task_uuid"] for t in listed.json()["tasks"]] == [task]
    status = run_cli(["status", task, "--json"], slow_api_env)
    assert status.code == 0
    assert status.json()["state"] in ("waiting", "generating")
