"""Progress bars and colours are for terminals; pipes get plain text."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from tests.cli.helpers import COMMAND, RUN_TIMEOUT, run_cli

ESCAPE = "\x1b["
BAR = "\u2501"  # the heavy horizontal line rich draws progress bars with

# Python's pty module (a POSIX pseudo-terminal) has no Windows counterpart in the standard library.
needs_a_pty = pytest.mark.skipif(os.name == "nt", reason="no pseudo-terminal (pty) on Windows")


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    import pty

    main, child_end = pty.openpty()
    child = subprocess.Popen(
        [*COMMAND, *args], env=env, stdin=subprocess.DEVNULL, stdout=child_end, stderr=child_end
    )
    os.close(child_end)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError as exc:  # EIO: the child closed its end of the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = child.wait(timeout=RUN_TIMEOUT)
    finally:
        os.close(main)
        if child.poll() is None:
            child.kill()
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def test_piped_output_has_no_colours_and_no_progress_bars(sandbox_env: dict[str, str]) -> None:
    run = run_cli(["generate", "a chair", "--tier", "Sketch", "--sandbox", "--wait"], sandbox_env)

    assert run.code == 0, run.stderr
    for text in (run.stdout, run.stderr):
        assert ESCAPE not in text
        assert BAR not in text
    assert "done: job 1" in run.stderr  # plain progress lines instead


@needs_a_pty
def test_a_terminal_gets_colours_and_progress_bars(sandbox_env: dict[str, str]) -> None:
    code, screen = run_on_a_terminal(
        ["generate", "a chair", "--tier", "Sketch", "--sandbox", "--wait"], sandbox_env
    )

    assert code == 0, screen
    assert ESCAPE in screen
    assert BAR in screen
    assert "jobs" in screen
    assert "Files in " in screen


@needs_a_pty
def test_json_output_draws_nothing_even_on_a_terminal(sandbox_env: dict[str, str]) -> None:
    code, screen = run_on_a_terminal(
        ["generate", "a chair", "--tier", "Sketch", "--sandbox", "--wait", "--json"], sandbox_env
    )

    assert code == 0, screen
    assert BAR not in screen
    assert screen.lstrip().startswith("{")
