"""Bad input through the MCP client: a clear error, and no trace in the ledger or upstream."""

from __future__ import annotations

import pytest
from mcp import Client

from rodin_mcp.emulator import RunningEmulator
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio

NEVER_SEEN = "0b5c3d4e-0000-4000-8000-000000000000"


async def _rows(client: Client) -> list[object]:
    return list(structured(await client.call_tool("list_tasks", {}))["tasks"])


async def test_a_refused_subscription_key_leaves_no_row(
    client: Client, emulator: RunningEmulator
) -> None:
    result = await client.call_tool(
        "check_status", {"task_uuid": NEVER_SEEN, "subscription_key": "eyJhbGciOi.not.issued"}
    )
    assert result.is_error
    assert await _rows(client) == []
    again = await client.call_tool("check_status", {"task_uuid": NEVER_SEEN})
    assert again.is_error
    assert "no record" in text_of(again)


@pytest.mark.parametrize(
    "task_uuid",
    ["", " ", "../../etc/passwd", "a b", "x" * 500, "\x1b[31mred", "task\nid", "-leading-dash"],
)
async def test_a_malformed_task_id_is_refused_before_anything_is_looked_up(
    client: Client, emulator: RunningEmulator, task_uuid: str
) -> None:
    for tool in ("check_status", "list_downloads"):
        result = await client.call_tool(
            tool, {"task_uuid": task_uuid, "subscription_key": "eyJ.a.b"}
        )
        assert result.is_error, tool
        text = text_of(result)
        assert "not a Rodin task id" in text
        assert "\x1b" not in text
        assert "\n" not in text.split("'")[1]
    assert emulator.requests == []
    assert await _rows(client) == []


async def test_a_malformed_subscription_key_is_refused_without_being_repeated(
    client: Client, emulator: RunningEmulator
) -> None:
    key = "not a key; rm -rf / \x00"
    result = await client.call_tool(
        "check_status", {"task_uuid": NEVER_SEEN, "subscription_key": key}
    )
    assert result.is_error
    assert "subscription key" in text_of(result)
    assert key not in text_of(result)
    assert emulator.requests == []
    assert await _rows(client) == []
