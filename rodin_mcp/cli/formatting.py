"""Small text formats shared by the commands: sizes, durations, times."""

from __future__ import annotations

from datetime import datetime

__all__ = ["format_duration", "format_size", "format_when"]


def format_size(size: int) -> str:
    """``1234567`` -> ``1.2 MB`` (decimal units, as file managers show them)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """``7.25`` -> ``7.2 s``; ``125`` -> ``2:05``; ``3725`` -> ``1:02:05``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_when(iso: str | None) -> str:
    """An ISO 8601 UTC time as local ``YYYY-MM-DD HH:MM``, or ``-``."""
    if not iso:
        return "-"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
