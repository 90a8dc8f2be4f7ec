"""Property-based fuzzing of every tool's arguments through the MCP client.

Each example is bad input of some kind; each must get a clear error (a tool error with a
sentence, never a traceback) and leave no trace: no ledger row, no submit upstream.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.bad_inputs import (
    FUZZ,
    JSON_VALUES,
    LYING_DATA_URIS,
    ODD_TEXT,
    PRIVATE_URLS,
    TASK_IDS,
    make_bad_files,
)
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def bad_files(tmp_path: Path) -> list[str]:
    """Local files that are not usable images, and paths that leave the allowed folder."""
    return make_bad_files(tmp_path)


@pytest.fixture
def fuzz_settings(settings: Settings, tmp_path: Path, bad_files: list[str]) -> Settings:
    """Local images confined to the ``allowed`` folder; URL fetches give up quickly."""
    return settings.model_copy(
        update={"allowed_input_dirs": [tmp_path / "allowed"], "image_fetch_timeout": 2.0}
    )


async def _assert_clear_error_and_no_trace(
    settings: Settings, emulator: RunningEmulator, tool: str, arguments: dict[str, Any]
) -> None:
    # A fresh session per example: examples share no event-loop state.
    async with Client(build_server(settings)) as client:
        await _check_call(client, emulator, tool, arguments)


async def _check_call(
    client: Client, emulator: RunningEmulator, tool: str, arguments: dict[str, Any]
) -> None:
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error, (tool, arguments, text[:300])
    assert text.strip(), (tool, arguments)
    assert "Traceback" not in text
    assert len(text) < 5_000, "an error should say what happened, not echo the input"
    assert not any(r.endpoint == "rodin" for r in emulator.requests)
    assert structured(await client.call_tool("list_tasks", {}))["tasks"] == []


def _bad_generation(bad_files: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    bad_image = st.one_of(st.sampled_from(bad_files), PRIVATE_URLS, LYING_DATA_URIS, ODD_TEXT)
    wrong_typed = st.dictionaries(
        st.sampled_from(
            ["tier", "seed", "quality_override", "material", "mesh_mode", "bbox_condition"]
        ),
        JSON_VALUES.filter(lambda v: not isinstance(v, str) or v not in ("Regular", "PBR")),
        min_size=1,
        max_size=3,
    )
    empty: dict[str, Any] = {}
    return st.one_of(
        st.builds(_with_images, st.lists(bad_image, min_size=1, max_size=3)),
        st.builds(_too_many_images, st.integers(6, 12)),
        wrong_typed,
        st.builds(_unknown_tier, ODD_TEXT),
        st.just(empty),
    )


def _with_images(refs: list[str]) -> dict[str, Any]:
    return {"images": refs}


def _too_many_images(count: int) -> dict[str, Any]:
    return {"prompt": "a vase", "images": [LYING_IMAGE] * count}


def _unknown_tier(prompt: str) -> dict[str, Any]:
    return {"prompt": prompt, "tier": "Nonexistent"}


LYING_IMAGE = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


@FUZZ
@given(data=st.data())
async def test_bad_generation_arguments_get_a_clear_error_and_leave_no_trace(
    fuzz_settings: Settings, emulator: RunningEmulator, bad_files: list[str], data: st.DataObject
) -> None:
    arguments = data.draw(_bad_generation(bad_files))
    await _assert_clear_error_and_no_trace(fuzz_settings, emulator, "generate_3d", arguments)


@FUZZ
@given(
    tool=st.sampled_from(["check_status", "list_downloads"]),
    task_uuid=TASK_IDS,
    subscription_key=st.one_of(st.none(), ODD_TEXT, st.just("eyJhbGciOiJIUzI1NiJ9.e30.sig")),
)
async def test_bad_or_unknown_task_ids_and_keys_get_a_clear_error_and_leave_no_row(
    fuzz_settings: Settings,
    emulator: RunningEmulator,
    tool: str,
    task_uuid: str,
    subscription_key: str | None,
) -> None:
    arguments: dict[str, Any] = {"task_uuid": task_uuid}
    if subscription_key is not None and tool == "check_status":
        arguments["subscription_key"] = subscription_key
    await _assert_clear_error_and_no_trace(fuzz_settings, emulator, tool, arguments)


@FUZZ
@given(
    tool=st.sampled_from(["generate_3d", "check_status", "list_downloads", "list_tasks"]),
    arguments=st.dictionaries(
        st.sampled_from(["task_uuid", "wait_seconds", "limit", "download", "images", "force_new"]),
        st.one_of(
            st.lists(JSON_VALUES, max_size=2),
            st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=2),
        ),
        min_size=1,
        max_size=3,
    ),
)
async def test_arguments_of_the_wrong_type_for_every_tool_are_refused_cleanly(
    fuzz_settings: Settings, emulator: RunningEmulator, tool: str, arguments: dict[str, Any]
) -> None:
    if tool == "list_tasks":
        arguments = {"limit": arguments.popitem()[1]}
    await _assert_clear_error_and_no_trace(fuzz_settings, emulator, tool, arguments)
