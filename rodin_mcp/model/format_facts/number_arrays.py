"""Number arrays out of text formats, and the bounds of a point list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rodin_mcp.model.facts import BoundingBox

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["bounds_of", "parse_numbers"]


def parse_numbers(text: str, separators: str = ",") -> NDArray[np.float64]:
    """The numbers of a separated list such as ``1.5, -2, 3e-1``.

    Raises:
        ValueError: an item is not a number.
    """
    import numpy as np

    for separator in separators:
        text = text.replace(separator, " ")
    items = text.split()
    return np.array(items, dtype=np.float64) if items else np.zeros(0, dtype=np.float64)


def bounds_of(points: NDArray[np.float64]) -> BoundingBox | None:
    """Bounds of ``(n, 3)`` points; ``None`` when there are none or they are not finite."""
    import numpy as np

    if points.size == 0 or not bool(np.all(np.isfinite(points))):
        return None
    low, high = points.min(axis=0), points.max(axis=0)
    return BoundingBox(
        minimum=(float(low[0]), float(low[1]), float(low[2])),
        maximum=(float(high[0]), float(high[1]), float(high[2])),
    )
