"""The spend guard: a per-process credit budget and asking the user before spending."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.inputs.helpers import PNG
from tests.inputs.image_server import running_image_server
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio


def asking_client(settings: Settings, mode: str, action: str, asked: list[str]) -> Client:
    """A client that supports elicitation, records each question and answers with ``action``."""

    async def callback(ctx: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        if action == "accept":
            return ElicitResult(action="accept", content={"approve": True})
        return ElicitResult(action="decline")  # type: ignore[arg-type]

    return Client(build_server(settings), mode=mode, elicitation_callback=callback)  # type: ignore[arg-type]


async def test_the_credit_budget_stops_a_runaway_loop_with_a_clear_error(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    settings = fast_settings.model_copy(update={"max_credits": 1.0})
    async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
        for prompt in ("a chair", "a table"):
            structured(await client.call_tool("generate_3d", {"prompt": prompt}))
        refused = await client.call_tool("generate_3d", {"prompt": "a lamp"})
    assert refused.is_error
    assert "RODIN_MAX_CREDITS" in text_of(refused)
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 2


async def test_a_client_that_supports_elicitation_is_asked_with_the_cost_first(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "accept", asked) as client:
        result = structured(
            await client.call_tool("generate_3d", {"prompt": "a chair", "high_pack": True})
        )
    assert result["task_uuid"]
    assert len(asked) == 1
    assert "1.5 credits" in asked[0]


async def test_a_declined_spend_submits_nothing(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "decline", asked) as client:
        result = await client.call_tool("generate_3d", {"prompt": "a chair"})
    assert result.is_error
    assert "did not approve" in text_of(result)
    assert asked
    assert not any(r.endpoint == "rodin" for r in emulator.requests)


async def test_without_elicitation_support_the_call_proceeds(
    client: Client, emulator: RunningEmulator
) -> None:
    structured(await client.call_tool("generate_3d", {"prompt": "a chair"}))
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1


async def test_confirm_spend_never_skips_the_question(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    settings = fast_settings.model_copy(update={"confirm_spend": "never"})
    async with asking_client(settings, protocol_mode, "accept", asked) as client:
        structured(await client.call_tool("generate_3d", {"prompt": "a chair"}))
    assert asked == []


async def test_a_repeated_identical_request_reuses_the_task_without_asking_again(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "accept", asked) as client:
        first = structured(await client.call_tool("generate_3d", {"prompt": "a stool"}))
        again = structured(await client.call_tool("generate_3d", {"prompt": "a stool"}))
    assert again["reused"] is True
    assert again["task_uuid"] == first["task_uuid"]
    assert len(asked) == 1


async def test_the_question_names_the_cost_of_every_option(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "accept", asked) as client:
        structured(
            await client.call_tool(
                "generate_3d",
                {
                    "prompt": "a statue",
                    "tier": "Gen-2.5-Extreme-High",
                    "mesh_mode": "Quad",
                    "high_pack": True,
                    "texture_mode": "extreme-high",
                },
            )
        )
    assert asked == [
        "Generate a 3D model from 'a statue' with Rodin Gen-2.5-Extreme-High? "
        "This spends 4 credits."
    ]


async def test_an_approved_spend_fetches_a_url_image_once(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    # The question needs the cost, the cost needs the checked images, and the submission sends
    # the same bytes: one fetch, not one per step.
    settings = fast_settings.model_copy(update={"allow_private_image_urls": True})
    asked: list[str] = []
    with running_image_server(PNG) as images:
        async with asking_client(settings, protocol_mode, "accept", asked) as client:
            result = structured(
                await client.call_tool("generate_3d", {"images": [images.url("/image.png")]})
            )
    assert result["task_uuid"]
    assert len(asked) == 1
    assert [seen.path for seen in images.seen] == ["/image.png"]
    submits = [r for r in emulator.requests if r.endpoint == "rodin"]
    assert [r.image_parts for r in submits] == [1]
