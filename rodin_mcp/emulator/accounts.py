"""The account: credits, and the request-rate limit (the parallelism cap lives with the tasks).

One account serves every accepted key; deductions follow the published pricing
(https://developer.hyper3d.ai/api-specification/rodin-generation-gen2); docs/emulator.md lists
the emulator's prices.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

__all__ = ["Account", "RateLimiter"]

_WINDOW_SECONDS = 60.0


class Account:
    """A credit balance that the emulator thread and a test thread may both touch."""

    def __init__(self, starting_balance: float) -> None:
        self._lock = threading.Lock()
        self._starting = starting_balance
        self._balance = starting_balance

    @property
    def balance(self) -> float:
        """Credits left."""
        with self._lock:
            return self._balance

    def set_balance(self, credits: float) -> None:
        """Replace the balance (for tests and the admin endpoint)."""
        if not (math.isfinite(credits) and credits >= 0):
            raise ValueError("a balance is a number >= 0")
        with self._lock:
            self._balance = credits

    def charge(self, credits: float) -> bool:
        """Deduct ``credits`` if the balance covers them; report whether it did."""
        with self._lock:
            if self._balance < credits:
                return False
            self._balance = round(self._balance - credits, 6)
            return True

    def reset(self) -> None:
        """Back to the starting balance."""
        with self._lock:
            self._balance = self._starting


class RateLimiter:
    """A sliding one-minute window of admitted requests."""

    def __init__(self, per_minute: int | None, clock: Callable[[], float]) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: deque[float] = deque()

    def admit(self) -> int | None:
        """Admit one request: ``None`` if allowed, else the whole seconds to wait (>= 1)."""
        if self._per_minute is None:
            return None
        now = self._clock()
        with self._lock:
            while self._admitted and self._admitted[0] <= now - _WINDOW_SECONDS:
                self._admitted.popleft()
            if len(self._admitted) < self._per_minute:
                self._admitted.append(now)
                return None
            return max(1, math.ceil(self._admitted[0] + _WINDOW_SECONDS - now))

    def reset(self) -> None:
        """Forget the window."""
        with self._lock:
            self._admitted.clear()
