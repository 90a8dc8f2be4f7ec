"""What a generation, a texture and a part split cost, in credits (https://developer.hyper3d.ai/api-specification/overview).

Every text that quotes a price reads it from :data:`PRICES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rodin_mcp.api.request import GenerationRequest

__all__ = ["PRICES", "PriceTable", "estimated_credits"]


@dataclass(frozen=True)
class PriceTable:
    """Rodin's price table."""

    base: float = 0.5
    """One generation on any tier but the one below."""
    extreme_high_tier_name: str = "Gen-2.5-Extreme-High"
    extreme_high_tier: float = 1.0
    """One generation on that tier."""
    high_pack: float = 1.0
    """The HighPack add-on, on top."""
    extreme_high_texture: float = 2.0
    """``texture_mode=extreme-high``, on top."""
    texture: float = 0.5
    """One Generate Texture task (``POST /rodin_texture_only``): new textures for a model."""
    split: float = 0.5
    """One BANG part split (``POST /bang``) of a finished generation."""


PRICES = PriceTable()


def estimated_credits(request: GenerationRequest) -> float:
    """Credits the generation ``request`` is expected to cost."""
    prices = PRICES
    credits = (
        prices.extreme_high_tier if request.tier == prices.extreme_high_tier_name else prices.base
    )
    if request.high_pack:
        credits += prices.high_pack
    if request.texture_mode == "extreme-high":
        credits += prices.extreme_high_texture
    return credits
