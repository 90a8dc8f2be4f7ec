"""Fast, deterministic text formatting of numeric arrays for the text formats (OBJ, USDA, FBX)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["format_rows"]


def format_rows(template: str, values: NDArray[np.generic]) -> str:
    """Format each row of ``values`` with a %-style ``template`` and join the results.

    One C-level ``%`` call formats the whole array, which is far quicker than a Python loop.

    Args:
        template: A %-format for one row, e.g. ``"v %.6f %.6f %.6f\\n"``.
        values: ``(rows, columns)`` array matching the template's placeholders.

    Returns:
        The concatenated text (empty for no rows).
    """
    if values.size == 0:
        return ""
    flat = values.reshape(-1).tolist()
    return (template * values.shape[0]) % tuple(flat)
