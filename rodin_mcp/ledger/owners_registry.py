"""Who owns a claim or a run, by engine: this machine's processes, or a database's replicas.

A claim (a paid submission being sent) and a background run record their owner, and the ledger
asks whether that owner is still there before it treats a claim as in flight or leaves a run to
its runner. What "still there" can be told from differs by engine:

* On SQLite (one machine's disk) the owner is a process of this machine, judged by
  :mod:`.owners` (psutil: the pid, its start time, the boot; another machine's cannot be
  checked).
* On PostgreSQL (replicas on several machines) the owner is a replica, judged by the database
  itself: each replica holds a session advisory lock while it runs (:mod:`.replicas`), and the
  server drops it when the replica's session ends, however it ends.
"""

from __future__ import annotations

from typing import Protocol

from rodin_mcp.ledger.database import Transaction
from rodin_mcp.ledger.owners import Liveness, ProcessOwner, liveness, this_process

__all__ = ["Owners", "ProcessOwners"]


class Owners(Protocol):
    """This process's identity as an owner, and the liveness of others."""

    def me(self) -> str:
        """This process (or replica) as the ledger records an owner."""
        ...

    async def liveness(self, tx: Transaction, owner: str | None) -> Liveness:
        """Whether the recorded ``owner`` still runs (UNKNOWN: it cannot be told from here)."""
        ...

    def gone_reason(self, owner: str | None) -> str:
        """Why a dead owner's claim has an unknown outcome, in a sentence's middle."""
        ...

    async def confirm(self, tx: Transaction) -> None:
        """Prove that this owner is still the owner the others see, or raise (see replicas)."""
        ...

    async def aclose(self) -> None:
        """Give up being an owner (a clean exit)."""
        ...


class ProcessOwners:
    """Owners on one machine: processes (see :mod:`.owners`)."""

    def me(self) -> str:
        return this_process().to_json()

    async def liveness(self, tx: Transaction, owner: str | None) -> Liveness:
        del tx
        found = ProcessOwner.from_json(owner) if owner else None
        return Liveness.UNKNOWN if found is None else liveness(found)

    def gone_reason(self, owner: str | None) -> str:
        found = ProcessOwner.from_json(owner) if owner else None
        if found is None:
            return "its process ended before Rodin's answer was recorded"
        return f"its process (pid {found.pid}) ended before Rodin's answer was recorded"

    async def confirm(self, tx: Transaction) -> None:
        del tx  # a process that runs is its own proof

    async def aclose(self) -> None:
        return None
