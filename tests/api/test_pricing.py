"""What a generation costs: the price table."""

from __future__ import annotations

from typing import Any

import pytest

from rodin_mcp.api import PRICES, GenerationRequest, estimated_credits


@pytest.mark.parametrize(
    ("args", "credits"),
    [
        ({"tier": "Sketch"}, 0.5),
        ({"tier": "Regular"}, 0.5),
        ({"tier": "Gen-2", "high_pack": True}, 1.5),
        ({"tier": "Gen-2.5-High"}, 0.5),
        ({"tier": "Gen-2.5-Extreme-High"}, 1.0),
        ({"tier": "Gen-2.5-Extreme-High", "mesh_mode": "Quad", "high_pack": True}, 2.0),
        ({"tier": "Gen-2.5-Medium", "texture_mode": "extreme-high"}, 2.5),
    ],
)
def test_estimated_credits_follow_the_price_table(args: dict[str, Any], credits: float) -> None:
    assert estimated_credits(GenerationRequest(prompt="x", **args)) == credits


def test_the_request_options_describe_the_prices_of_the_table() -> None:
    fields = GenerationRequest.model_fields
    assert f"{PRICES.high_pack:g} extra credit" in (fields["high_pack"].description or "")
    assert f"{PRICES.extreme_high_texture:g} extra credits" in (
        fields["texture_mode"].description or ""
    )
