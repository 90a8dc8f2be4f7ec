"""Who holds a submission claim, and whether that process is still alive.

A claim records its owner: the process id, the process's start time (so a reused pid is not taken
for the owner), the machine's boot id (so a claim from before a reboot is known dead) and the host
name. Liveness never reads the wall clock, so a clock jump cannot turn a live claim into a dead
one or the reverse.

On Linux the start time comes from ``/proc/<pid>/stat`` (clock ticks since boot) and the boot id
from ``/proc/sys/kernel/random/boot_id``. Elsewhere both are unknown and only the pid is checked.
"""

from __future__ import annotations

import functools
import json
import os
import socket
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

__all__ = ["Liveness", "ProcessOwner", "liveness", "this_process"]

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessOwner:
    """The process that claimed a submission."""

    pid: int
    started: str | None
    boot_id: str | None
    host: str

    def to_json(self) -> str:
        """The owner as the ledger stores it."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ProcessOwner | None:
        """The owner stored by :meth:`to_json`, or None when ``text`` is not one."""
        try:
            data = json.loads(text)
            return cls(
                pid=int(data["pid"]),
                started=None if data["started"] is None else str(data["started"]),
                boot_id=None if data["boot_id"] is None else str(data["boot_id"]),
                host=str(data["host"]),
            )
        except (ValueError, TypeError, KeyError):
            return None


class Liveness(Enum):
    """What can be told about a claim's owner from this machine."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"
    """Another machine's process (a data folder on a shared disk): cannot be checked from here."""


def this_process() -> ProcessOwner:
    """This process as a claim owner (a forked child is an owner of its own)."""
    return _owner(os.getpid())


@functools.cache
def _owner(pid: int) -> ProcessOwner:
    return ProcessOwner(pid, _start_time(pid), _boot_id(), socket.gethostname())


def liveness(owner: ProcessOwner) -> Liveness:
    """Whether ``owner`` is still running."""
    me = this_process()
    if owner.host != me.host:
        return Liveness.UNKNOWN
    if owner.boot_id is not None and me.boot_id is not None and owner.boot_id != me.boot_id:
        return Liveness.DEAD
    if owner.pid == me.pid and owner.started == me.started:
        return Liveness.ALIVE
    if not _pid_exists(owner.pid):
        return Liveness.DEAD
    if owner.started is not None:
        now_started = _start_time(owner.pid)
        if now_started is not None and now_started != owner.started:
            return Liveness.DEAD  # the pid was reused by another process
    return Liveness.ALIVE


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, run by another user
    except OSError:
        return False
    return _state(pid) != "Z"  # a zombie has finished; only its exit status remains


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    _, _, rest = text.rpartition(")")
    return rest.split()


def _state(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def _start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    # Field 22 of /proc/<pid>/stat (starttime); ``rest`` starts at field 3.
    return fields[19] if fields is not None and len(fields) > 19 else None


def _boot_id() -> str | None:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip() or None
    except OSError:
        return None
