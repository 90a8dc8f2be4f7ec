"""`rodin-mcp` as a whole: serving validates its settings, -v logs DEBUG, the emulator passes."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import COMMAND, RUN_TIMEOUT, clean_environment, run_cli

INVALID_CREDITS = (
    "error: Invalid setting. RODIN_MAX_CREDITS: "
    "Input should be a valid number, unable to parse string as a number\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # stdin at EOF: a stdio server that did start would see the host leave, and exit 0.
    return subprocess.run(
        [*COMMAND, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [[], ["serve"], ["--sandbox", "serve"], ["serve", "--http", "--port", "{port}"]],
    ids=["no command", "serve", "serve in the sandbox", "serve --http"],
)
def test_serving_with_an_invalid_setting_exits_1_with_the_clear_error_line(
    args: list[str], tmp_path: Path
) -> None:
    env = clean_environment(tmp_path, RODIN_MAX_CREDITS="abc")
    port = str(free_port())

    done = serve([a.format(port=port) for a in args], env)

    assert done.returncode == 1
    assert done.stderr == INVALID_CREDITS
    assert done.stdout == ""


def test_serving_reports_the_invalid_setting_like_the_other_commands(tmp_path: Path) -> None:
    env = clean_environment(tmp_path, RODIN_MAX_CREDITS="abc")

    served, configured = serve([], env), run_cli(["config"], env)

    assert (served.returncode, served.stderr) == (configured.code, configured.stderr)


@pytest.mark.parametrize(
    "args", [["-v"], ["--verbose", "serve"], ["tasks", "--sandbox", "-v"]], ids=str
)
def test_verbose_logs_at_debug_level_on_every_command(args: list[str], tmp_path: Path) -> None:
    done = serve(args, clean_environment(tmp_path))

    assert done.returncode == 0, done.stderr
    assert " DEBUG " in done.stderr


def test_without_verbose_only_warnings_are_logged(tmp_path: Path) -> None:
    done = serve([], clean_environment(tmp_path))

    assert done.returncode == 0, done.stderr
    assert " DEBUG " not in done.stderr
    assert " INFO " not in done.stderr


@pytest.mark.parametrize("args", [["emulator", "--help"], ["-v", "emulator", "-h"]], ids=str)
def test_the_emulator_command_answers_help_with_its_own_options(
    args: list[str], tmp_path: Path
) -> None:
    run = run_cli(args, clean_environment(tmp_path))

    assert run.code == 0
    assert run.stdout.startswith("usage: rodin-mcp emulator [-h] [--host HOST] [--port PORT]")
    assert "--faults FAULTS" in run.stdout
