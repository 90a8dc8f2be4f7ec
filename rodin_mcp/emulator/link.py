"""A simulated network link for the asset host: a round-trip delay and a per-connection rate.

Loopback delivers a file at memory speed, which says little about a download over a real
network. With a link configured, every asset answer starts one round trip (``latency_seconds``)
after its request, and its body is paced so that no connection receives more than
``bytes_per_second``. The pace follows an absolute schedule, so late wake-ups do not add up.
Connection set-up and TCP slow start are not modelled.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import anyio

__all__ = ["AssetLink", "LinkPace"]


@dataclass(frozen=True)
class AssetLink:
    """The link between the asset host and its clients."""

    latency_seconds: float = 0.0
    bytes_per_second: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latency_seconds) and self.latency_seconds >= 0):
            raise ValueError("asset latency must be a number of seconds >= 0")
        rate = self.bytes_per_second
        if rate is not None and not (math.isfinite(rate) and rate > 0):
            raise ValueError("asset rate must be a positive number of bytes per second")

    @property
    def is_direct(self) -> bool:
        """No delay and no rate limit: answers go out at loopback speed."""
        return self.latency_seconds == 0 and self.bytes_per_second is None

    def pace(self) -> LinkPace:
        """The pace of one answer on this link."""
        return LinkPace(self)


class LinkPace:
    """Delays one streamed answer as its link would."""

    def __init__(self, link: AssetLink) -> None:
        self._link = link
        self._started = time.monotonic()

    async def first_byte(self) -> None:
        """Wait out the round trip before the answer starts."""
        await anyio.sleep(self._link.latency_seconds)
        self._started = time.monotonic()

    async def sent(self, total: int) -> None:
        """Wait until ``total`` body bytes may have crossed the link."""
        rate = self._link.bytes_per_second
        if rate is None:
            return
        delay = self._started + total / rate - time.monotonic()
        if delay > 0:
            await anyio.sleep(delay)
