"""Times as the service's results give them: ISO 8601 in UTC, to the second, with ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

__all__ = ["iso_utc"]


@overload
def iso_utc(epoch: float) -> str: ...
@overload
def iso_utc(epoch: None) -> None: ...
def iso_utc(epoch: float | None) -> str | None:
    """``epoch`` (seconds) as e.g. ``2026-12-03T06:40:01Z``; ``None`` stays ``None``."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
