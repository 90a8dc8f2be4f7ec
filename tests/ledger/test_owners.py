"""Owners of claims and runs: who they are, and whether they still run, on every platform.

A child process records itself as an owner exactly as the package does, and the parent asks about
it, so the answers come from the same portable path (psutil, the machine's identity) that a
server asking about another server uses.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from collections.abc import Generator
from contextlib import contextmanager

from rodin_mcp.ledger.owners import Liveness, ProcessOwner, liveness, this_process
from tests.ledger.processes import REPO

_RECORD_AND_WAIT = (
    "import sys\n"
    "from rodin_mcp.ledger.owners import this_process\n"
    "print(this_process().to_json(), flush=True)\n"
    "sys.stdin.readline()\n"
)


@contextmanager
def _child_owner() -> Generator[tuple[subprocess.Popen[str], ProcessOwner]]:
    """A running child process and the owner it recorded of itself."""
    with subprocess.Popen(
        [sys.executable, "-c", _RECORD_AND_WAIT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    ) as child:
        try:
            assert child.stdout is not None
            owner = ProcessOwner.from_json(child.stdout.readline())
            assert owner is not None
            yield child, owner
        finally:
            child.kill()


def test_this_process_is_alive_and_survives_a_round_trip_through_json() -> None:
    me = this_process()
    assert me.pid == os.getpid()
    assert me.started is not None
    assert me.boot is not None
    assert ProcessOwner.from_json(me.to_json()) == me
    assert liveness(me) is Liveness.ALIVE


def test_another_running_process_is_alive_and_dead_once_killed_even_before_it_is_reaped() -> None:
    with _child_owner() as (child, owner):
        assert owner.pid == child.pid
        assert owner.machine == this_process().machine
        assert liveness(owner) is Liveness.ALIVE
        child.kill()
        if hasattr(os, "waitid"):  # POSIX: wait for its end without reaping it (a zombie)
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
            assert liveness(owner) is Liveness.DEAD
        child.wait(timeout=30)
        assert liveness(owner) is Liveness.DEAD


def test_a_process_that_ended_is_dead() -> None:
    with _child_owner() as (child, owner):
        assert child.stdin is not None
        child.stdin.write("done\n")
        child.stdin.close()
        assert child.wait(timeout=30) == 0
    assert liveness(owner) is Liveness.DEAD


def test_a_running_pid_that_started_at_another_moment_is_another_process() -> None:
    me = this_process()
    assert me.started is not None
    for moment in (me.started - 1.0, me.started + 1.0):
        assert liveness(dataclasses.replace(me, started=moment)) is Liveness.DEAD


def test_an_owner_from_an_earlier_boot_is_dead_even_at_the_same_offset_from_boot() -> None:
    # After a reboot, the same pid may come back at the same time after boot (a service started
    # at boot): the boot time moved by more than the owner's whole time since its boot.
    me = this_process()
    assert me.started is not None
    assert me.boot is not None
    earlier = (me.started - me.boot) + 60.0
    owner = dataclasses.replace(me, started=me.started - earlier, boot=me.boot - earlier)
    assert liveness(owner) is Liveness.DEAD


def test_a_clock_step_since_the_owner_was_recorded_leaves_it_alive() -> None:
    # Where the start is derived from the boot time (Linux), setting the clock moves both.
    me = this_process()
    assert me.started is not None
    assert me.boot is not None
    step = min(2.0, (me.started - me.boot) / 2)
    for moved in (step, -step):
        owner = dataclasses.replace(me, started=me.started + moved, boot=me.boot + moved)
        assert liveness(owner) is Liveness.ALIVE


def test_an_owner_on_another_machine_cannot_be_checked_from_here() -> None:
    remote = dataclasses.replace(this_process(), machine="another-machine")
    assert liveness(remote) is Liveness.UNKNOWN


def test_an_owner_recorded_by_an_earlier_version_is_judged_by_its_pid_on_this_host() -> None:
    def legacy(pid: int, host: str) -> ProcessOwner:
        text = json.dumps({"pid": pid, "started": "123", "boot_id": "b", "host": host})
        owner = ProcessOwner.from_json(text)
        assert owner is not None
        return owner

    assert liveness(legacy(os.getpid(), socket.gethostname())) is Liveness.ALIVE
    assert liveness(legacy(os.getpid(), "another-host.example")) is Liveness.UNKNOWN
    with _child_owner() as (child, _):
        pass
    child.wait(timeout=30)
    assert liveness(legacy(child.pid, socket.gethostname())) is Liveness.DEAD


def test_pids_that_no_process_can_have_are_dead() -> None:
    for pid in (0, -1):
        assert liveness(dataclasses.replace(this_process(), pid=pid)) is Liveness.DEAD


def test_text_that_is_not_an_owner_reads_as_none() -> None:
    assert ProcessOwner.from_json("not json") is None
    assert ProcessOwner.from_json('{"pid": "x"}') is None
    assert (
        ProcessOwner.from_json('{"pid": 1, "started": "soon", "boot": 1, "machine": "m"}') is None
    )
