"""Who holds a submission claim or runs a background run, and whether that process still runs.

An owner is recorded as its process id, the process's start time, the machine's boot time when it
was recorded, and the machine it runs on. All of it comes from ``psutil`` (process existence and
start time, boot time) and ``py-machineid`` (the identity each OS keeps for the machine: the
systemd/D-Bus machine id on Linux, the platform UUID on macOS, the ``MachineGuid`` on Windows), so
one code path serves every platform: no ``/proc``, and no ``os.kill`` used as a question (on
Windows signal 0 is Ctrl+C sent to a console).

A pid alone is not an owner: pids are reused, quickly on Windows. The owner is alive when a process
with its pid runs and started at the recorded instant. The start is compared two ways, because
each platform keeps one of them fixed: its absolute time (fixed on Windows and macOS, where the
kernel records the wall clock at creation) or its time since boot (fixed on Linux, where the
absolute time is derived from the boot time and moves when the clock is set). The second only
counts within one boot: after a reboot the boot time has moved by more than the owner's whole
time since its boot, while setting the clock moves it by the size of the step. So a process of a
later boot that happens to reuse the pid and the offset from boot is not taken for the owner, and
a clock step cannot turn a live owner into a dead one unless it is larger than the owner's time
since boot at its start.

The machine identity is a keyed digest of the OS's machine id (the raw id is never stored), or
the host name where the OS keeps none (some containers). It does not follow the network, as the
host name does on macOS.
"""

from __future__ import annotations

import functools
import json
import os
import socket
from dataclasses import asdict, dataclass
from enum import Enum
from typing import cast

__all__ = ["Liveness", "ProcessOwner", "liveness", "this_process"]

_SAME_INSTANT = 0.05
"""Seconds within which two readings of one process's start are one instant: psutil reads it to
1/100 s on Linux and exactly on Windows and macOS."""

_HOST_PREFIX = "host:"
_APP_KEY = "rodin-mcp"


@dataclass(frozen=True)
class ProcessOwner:
    """The process that claimed a submission or runs a background run."""

    pid: int
    started: float | None
    """When the process started (seconds since the epoch, as psutil reads it); None for an owner
    recorded by an earlier version, which kept only a Linux clock-tick count."""
    boot: float | None
    """The machine's boot time when the owner was recorded."""
    machine: str
    """The machine the process runs on (see the module's docstring)."""

    def to_json(self) -> str:
        """The owner as the ledger stores it."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ProcessOwner | None:
        """The owner stored by :meth:`to_json` (or by an earlier version), or None."""
        try:
            data = json.loads(text)
            if "machine" not in data:  # before 0.2: {pid, started (ticks), boot_id, host}
                return cls(int(data["pid"]), None, None, _HOST_PREFIX + str(data["host"]))
            return cls(
                pid=int(data["pid"]),
                started=_optional_float(data["started"]),
                boot=_optional_float(data["boot"]),
                machine=str(data["machine"]),
            )
        except (ValueError, TypeError, KeyError):
            return None


class Liveness(Enum):
    """What can be told about an owner from this machine."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"
    """Another machine's process (a data folder on a shared disk): cannot be checked from here."""


def this_process() -> ProcessOwner:
    """This process as an owner (a forked child is an owner of its own)."""
    return _owner(os.getpid())


@functools.cache
def _owner(pid: int) -> ProcessOwner:
    import psutil  # loaded on first use, off the server's start-up path

    return ProcessOwner(pid, psutil.Process(pid).create_time(), psutil.boot_time(), _machine())


def liveness(owner: ProcessOwner) -> Liveness:
    """Whether ``owner`` is still running."""
    me = this_process()
    if owner.machine not in (me.machine, _host_identity()):
        return Liveness.UNKNOWN
    if owner.pid == me.pid and _same_start(owner, me.started, me.boot):
        return Liveness.ALIVE
    if owner.pid <= 0:
        return Liveness.DEAD
    import psutil

    try:
        process = psutil.Process(owner.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return Liveness.DEAD  # it has finished; only its exit status remains
        started = process.create_time()
    except psutil.NoSuchProcess:
        return Liveness.DEAD
    except psutil.AccessDenied:
        return Liveness.ALIVE  # it exists but cannot be read: never guess a live owner dead
    if owner.started is None or _same_start(owner, started, psutil.boot_time()):
        return Liveness.ALIVE
    return Liveness.DEAD  # the pid now belongs to another process


def _same_start(owner: ProcessOwner, started: float | None, boot: float | None) -> bool:
    if owner.started is None or started is None:
        return False
    if abs(owner.started - started) <= _SAME_INSTANT:
        return True
    if owner.boot is None or boot is None:
        return False
    since_boot = owner.started - owner.boot
    same_offset = abs(since_boot - (started - boot)) <= _SAME_INSTANT
    return same_offset and abs(owner.boot - boot) < since_boot


@functools.cache
def _machine() -> str:
    import machineid

    try:
        return machineid.hashed_id(_APP_KEY)  # pyright: ignore[reportUnknownMemberType]
    except (machineid.MachineIdNotFound, OSError):
        return _host_identity()


def _host_identity() -> str:
    return _HOST_PREFIX + socket.gethostname()


def _optional_float(value: object) -> float | None:
    return None if value is None else float(cast("float | int | str", value))
