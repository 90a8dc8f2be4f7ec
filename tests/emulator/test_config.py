"""EmulatorConfig: refuses nonsense early and keeps the key out of its repr."""

from __future__ import annotations

from typing import Any

import pytest

from rodin_mcp.emulator import AssetLink, EmulatorConfig, FaultPlan, ManualClock


@pytest.mark.parametrize(
    "changes",
    [
        {"api_key": "  "},
        {"speed": 0},
        {"speed": float("inf")},
        {"starting_balance": -1},
        {"parallelism_limit": 0},
        {"rate_limit_per_minute": 0},
        {"url_ttl_seconds": 0},
        {"synthetic_asset_bytes": -1},
        {"faults": "status=explode"},
    ],
)
def test_invalid_settings_are_refused_with_a_value_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        EmulatorConfig(**changes)


@pytest.mark.parametrize(
    "link",
    [
        {"latency_seconds": -0.1},
        {"latency_seconds": float("nan")},
        {"bytes_per_second": 0},
        {"bytes_per_second": float("inf")},
    ],
)
def test_an_impossible_asset_link_is_refused_with_a_value_error(link: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="asset"):
        AssetLink(**link)


def test_the_api_key_is_not_in_the_repr(sentinel_api_key: str) -> None:
    assert sentinel_api_key not in repr(EmulatorConfig(api_key=sentinel_api_key))


def test_each_fault_plan_from_a_config_is_fresh() -> None:
    config = EmulatorConfig(faults="status=500")

    first = config.fault_plan()
    first.take("status")

    assert len(first) == 0
    assert len(config.fault_plan()) == 1
    assert isinstance(config.fault_plan(), FaultPlan)


def test_manual_clock_only_moves_forward() -> None:
    clock = ManualClock(start=100.0)
    clock.advance(2.5)

    assert clock() == 102.5
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
