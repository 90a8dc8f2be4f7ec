"""Owners of submission claims: who they are, and whether they still run."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from rodin_mcp.ledger.owners import Liveness, ProcessOwner, liveness, this_process


def test_this_process_is_alive_and_survives_a_round_trip_through_json() -> None:
    me = this_process()
    assert me.pid == os.getpid()
    assert ProcessOwner.from_json(me.to_json()) == me
    assert liveness(me) is Liveness.ALIVE


def test_a_process_that_ended_is_dead() -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = dataclasses.replace(this_process(), pid=int(child.stdout))
    assert liveness(gone) is Liveness.DEAD


def test_a_reused_pid_with_another_start_time_is_dead() -> None:
    me = this_process()
    assert me.started is not None
    impostor = dataclasses.replace(me, started=str(int(me.started) + 1))
    assert liveness(impostor) is Liveness.DEAD


def test_an_owner_from_before_the_last_boot_is_dead() -> None:
    me = this_process()
    assert me.boot_id is not None
    assert liveness(dataclasses.replace(me, boot_id="another-boot")) is Liveness.DEAD


def test_an_owner_on_another_host_cannot_be_checked_from_here() -> None:
    remote = dataclasses.replace(this_process(), host="another-host.example")
    assert liveness(remote) is Liveness.UNKNOWN


def test_a_running_process_of_the_same_pid_and_start_time_is_alive() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    ) as child:
        try:
            owner = dataclasses.replace(this_process(), pid=child.pid)
            owner = dataclasses.replace(owner, started=_started(child.pid))
            assert liveness(owner) is Liveness.ALIVE
        finally:
            assert child.stdin is not None
            child.stdin.close()


def test_text_that_is_not_an_owner_reads_as_none() -> None:
    assert ProcessOwner.from_json("not json") is None
    assert ProcessOwner.from_json('{"pid": "x"}') is None


def _started(pid: int) -> str:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rpartition(")")[2].split()[19]
