"""sRGB <-> linear light conversions by lookup table (fast on whole images)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["linear_to_srgb8", "srgb8_to_linear", "srgb_to_linear"]

_LINEAR_STEPS = 4096


def srgb_to_linear(c: NDArray[np.floating]) -> NDArray[np.float64]:
    """sRGB values in [0, 1] to linear light (the exact transfer function)."""
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1 / 2.4) - 0.055)


_SRGB8_TO_LINEAR = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
_LINEAR_TO_SRGB8 = (
    _linear_to_srgb(np.arange(_LINEAR_STEPS + 1) / _LINEAR_STEPS) * 255.0 + 0.5
).astype(np.uint8)


def srgb8_to_linear(pixels: NDArray[np.uint8]) -> NDArray[np.float32]:
    """8-bit sRGB to linear light in [0, 1]."""
    return _SRGB8_TO_LINEAR[pixels]


def linear_to_srgb8(linear: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Linear light (clipped to [0, 1]) to 8-bit sRGB, to within one step of 1/4096."""
    index = (np.clip(linear, 0.0, 1.0) * _LINEAR_STEPS + 0.5).astype(np.int64)
    return _LINEAR_TO_SRGB8[index]
