"""The per-process credit budget: spends and reservations counted against RODIN_MAX_CREDITS."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager

from rodin_mcp.errors import BudgetExceededError

__all__ = ["Budget"]


class Budget:
    """Credits this process has spent, plus those reserved for submissions in flight."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._spent = 0.0
        self._reserved = 0.0

    @property
    def used(self) -> float:
        """Credits spent or reserved so far."""
        return self._spent + self._reserved

    @contextmanager
    def reservation(self, cost: float) -> Generator[None]:
        """Hold ``cost`` for a submission while it is in flight.

        Raises:
            BudgetExceededError: the budget cannot cover it; nothing is reserved.
        """
        if self.used + cost > self.limit:
            raise BudgetExceededError(cost=cost, spent=self.used, budget=self.limit)
        self._reserved += cost
        try:
            yield
        finally:
            self._reserved -= cost

    def spend(self, credits: float) -> None:
        """Count credits as spent (charged, or assumed charged when the outcome is unknown)."""
        self._spent += credits
