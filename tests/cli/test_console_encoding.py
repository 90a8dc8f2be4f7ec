"""The command line writes UTF-8 whatever the console's code page or the locale.

On Windows, Python writes to a pipe or a file in the ANSI code page (cp1252 and the like), which
has no CJK and no emoji. ``PYTHONIOENCODING=cp1252`` reproduces that console on any platform; on
POSIX the C locale without UTF-8 mode gives plain ASCII, a stricter one. The prompt below holds
characters inside cp1252 (é) and outside it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import COMMAND, RUN_TIMEOUT, run_cli

PROMPT = "une chaise é, 椅子 🪑"

_ENCODING_VARIABLES = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONCOERCECLOCALE", "LANG", "LC_ALL")
LEGACY_CONSOLES = {"cp1252": {"PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}}
if os.name != "nt":
    LEGACY_CONSOLES["ascii"] = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


@pytest.fixture(params=sorted(LEGACY_CONSOLES))
def legacy_env(request: pytest.FixtureRequest, api_env: dict[str, str]) -> dict[str, str]:
    """``api_env`` with a legacy console encoding for the command's standard streams."""
    env = {k: v for k, v in api_env.items() if k not in _ENCODING_VARIABLES}
    return env | LEGACY_CONSOLES[str(request.param)]


def _submitted(api_env: dict[str, str]) -> str:
    made = run_cli(["generate", PROMPT, "--json"], api_env)
    assert made.code == 0, made.stderr
    return str(made.json()["task_uuid"])


def _run_bytes(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*COMMAND, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def test_tasks_json_with_a_non_ascii_prompt_is_utf8_json_under_a_legacy_console(
    api_env: dict[str, str], legacy_env: dict[str, str]
) -> None:
    task = _submitted(api_env)

    done = _run_bytes(["tasks", "--json"], legacy_env)

    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    document = json.loads(done.stdout.decode("utf-8"))  # strict: valid UTF-8, one JSON document
    assert [(t["task_uuid"], t["prompt"]) for t in document["tasks"]] == [(task, PROMPT)]


def test_the_tasks_table_reaches_a_pipe_and_a_file_in_utf8_under_a_legacy_console(
    api_env: dict[str, str], legacy_env: dict[str, str], tmp_path: Path
) -> None:
    task = _submitted(api_env)

    piped = _run_bytes(["tasks"], legacy_env)
    listing = tmp_path / "tasks.txt"
    with listing.open("wb") as file:
        filed = subprocess.run(
            [*COMMAND, "tasks"],
            env=legacy_env,
            stdin=subprocess.DEVNULL,
            stdout=file,
            stderr=subprocess.PIPE,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    assert piped.returncode == 0, piped.stderr.decode("utf-8", "replace")
    assert filed.returncode == 0, filed.stderr.decode("utf-8", "replace")
    for text in (piped.stdout.decode("utf-8"), listing.read_bytes().decode("utf-8")):
        (row,) = text.splitlines()[1:]
        assert task in row
        assert PROMPT in row


def test_progress_and_results_of_a_non_ascii_prompt_reach_pipes_under_a_legacy_console(
    sandbox_env: dict[str, str],
) -> None:
    env = {k: v for k, v in sandbox_env.items() if k not in _ENCODING_VARIABLES}
    env |= LEGACY_CONSOLES["cp1252"]

    done = _run_bytes(["generate", "une chaise é 椅子", "--sandbox", "--wait"], env)

    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "椅子" in done.stdout.decode("utf-8")
    assert "done: job 1" in done.stderr.decode("utf-8")
