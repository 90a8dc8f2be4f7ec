"""The MCP tools: thin adapters from tool arguments to service calls and back.

``generate_3d`` exposes every option of the generation request as a flat argument; its signature
is assembled from the request model so the two can never drift apart. Prices and the dedupe window
in the descriptions are read from their owners (the pricing table, the settings).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import (
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.types import (
    CallToolResult,
    ContentBlock,
    ImageContent,
    TextContent,
    ToolAnnotations,
)
from pydantic import Field

from rodin_mcp.server.convert_tool import convert_model
from rodin_mcp.server.derived_tools import assemble_signatures, generate_texture, split_into_parts
from rodin_mcp.server.descriptions import describe
from rodin_mcp.server.download_results import downloads_call_result
from rodin_mcp.server.outputs import DownloadsOutput, GenerateOutput, StatusOutput, output_of
from rodin_mcp.server.request_size import data_uri_limit
from rodin_mcp.server.signatures import flatten, option_parameters
from rodin_mcp.server.spend_approval import (
    FORCE_NEW_PARAMETER,
    Prepare,
    SpendApproval,
    arguments_key,
    ask_before_spending,
    service_of,
    submit_approved,
)
from rodin_mcp.server.state import AppState
from rodin_mcp.server.upload_tool import create_upload
from rodin_mcp.server.viewer import viewer_of, viewer_tool_meta
from rodin_mcp.server.vocabulary import (
    CHECK_BALANCE,
    CHECK_STATUS,
    CONVERT_MODEL,
    CREATE_UPLOAD,
    GENERATE_3D,
    GENERATE_TEXTURE,
    INSPECT_MODEL,
    LIST_DOWNLOADS,
    LIST_TASKS,
    MAX_WAIT_SECONDS,
    SPLIT_PARTS,
)
from rodin_mcp.server.words import tool_errors
from rodin_mcp.service import (
    BalanceResult,
    ConvertResult,
    GenerateResult,
    GenerationRequest,
    InspectResult,
    PreparedGeneration,
    PreparedSubmission,
    RodinService,
    StatusResult,
    TasksResult,
    option_names,
)
from rodin_mcp.settings import Settings

__all__ = ["register_tools"]


def _generation_key(prompt: str | None, images: list[str] | None, options: dict[str, Any]) -> str:
    return arguments_key(GENERATE_3D, prompt, images or [], options)


def _generation_prepare(
    prompt: str | None, images: list[str] | None, options: dict[str, Any]
) -> Prepare:
    async def prepare(service: RodinService) -> PreparedSubmission:
        return await service.prepare({"prompt": prompt, **options}, images or [])

    return prepare


async def approve_spend(
    ctx: Context[AppState],
    prompt: str | None = None,
    images: list[str] | None = None,
    force_new: bool = False,
    **options: Any,
) -> SpendApproval | Elicit[SpendApproval]:
    """Ask before a generation spends real credits (see :func:`ask_before_spending`); the
    resolver sees every argument of generate_3d."""

    def question(prepared: PreparedSubmission, cost: float) -> str:
        subject = f"'{prompt[:80]}'" if prompt else f"{len(images or [])} image(s)"
        tier = prepared.request.tier if isinstance(prepared, PreparedGeneration) else ""
        return (
            f"Generate a 3D model from {subject} with Rodin {tier}? This spends {cost:g} credits."
        )

    return await ask_before_spending(
        ctx,
        _generation_key(prompt, images, options),
        _generation_prepare(prompt, images, options),
        question,
        force_new=force_new,
    )


async def generate_3d(
    ctx: Context[AppState],
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(approve_spend)],
    prompt: str | None = None,
    images: list[str] | None = None,
    force_new: bool = False,
    **options: Any,
) -> GenerateResult:
    """Submit a generation (or reuse the identical recent one); see descriptions.py for the text."""
    key = _generation_key(prompt, images, options)
    prepare = _generation_prepare(prompt, images, options)
    return await submit_approved(ctx, approval, key, prepare, "generation", force_new=force_new)


def _common_parameters() -> dict[str, tuple[Any, Any]]:
    prompt_info = GenerationRequest.model_fields["prompt"]
    return {
        "prompt": (
            Annotated[
                str | None, *prompt_info.metadata, Field(description=prompt_info.description)
            ],
            None,
        ),
        "images": (
            Annotated[
                list[str] | None,
                Field(
                    max_length=5,
                    description=(
                        "Up to 5 input images, in order (the first drives the texture): absolute "
                        "local paths, file:// or data: URIs, http(s) URLs, or upload:// URIs "
                        f"from {CREATE_UPLOAD} (where it is listed). Paths inside the assistant's "
                        "own sandbox do not exist on the user's computer. data: URIs: "
                        f"{data_uri_limit()}."
                    ),
                ),
            ],
            None,
        ),
        "force_new": FORCE_NEW_PARAMETER,
    }


def _assemble_signatures() -> None:
    options = option_parameters(GenerationRequest, option_names())
    flatten(
        approve_spend,
        {"ctx": Context[AppState]},
        _common_parameters(),
        options,
        SpendApproval | Elicit[SpendApproval],
    )
    flatten(
        generate_3d,
        {
            "ctx": Context[AppState],
            "approval": Annotated[ElicitationResult[SpendApproval], Resolve(approve_spend)],
        },
        _common_parameters(),
        options,
        GenerateOutput,
    )


async def check_status(
    ctx: Context[AppState],
    task_uuid: Annotated[str, Field(description=f"task_uuid from {GENERATE_3D}.")],
    subscription_key: Annotated[
        str | None,
        Field(description="Only for tasks this server did not submit: their subscription_key."),
    ] = None,
    wait_seconds: Annotated[
        float,
        Field(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description=(
                f"Wait up to this many seconds (0-{MAX_WAIT_SECONDS:g}) for the task to finish."
            ),
        ),
    ] = 0,
) -> StatusResult:
    """Where a task stands; with wait_seconds, waits sharing the task's poll loop."""
    service = await service_of(ctx)
    step = 0

    async def progress(status: StatusResult) -> None:
        nonlocal step
        step += 1
        done = sum(1 for j in status.jobs if j.status == "Done")
        await ctx.report_progress(
            step, None, f"{status.state}: {done}/{len(status.jobs)} jobs done"
        )

    async with tool_errors():
        return output_of(
            await service.status(
                task_uuid,
                subscription_key=subscription_key,
                wait_seconds=wait_seconds,
                on_update=progress,
            )
        )


async def list_downloads(
    ctx: Context[AppState],
    task_uuid: Annotated[str, Field(description=f"task_uuid from {GENERATE_3D}.")],
    download: Annotated[
        bool, Field(description="Fetch the files to the output folder (default true).")
    ] = True,
) -> CallToolResult:
    """A finished task's files, saved and verified, with resource links and the preview."""
    service = await service_of(ctx)
    async with tool_errors():
        result = await service.fetch_results(task_uuid, download=download)
    return await downloads_call_result(ctx, service, result)


async def inspect_model(
    ctx: Context[AppState],
    model: Annotated[
        str,
        Field(
            description="Absolute path or file:// URI of a model file on this computer, the "
            f"rodin://tasks/{{task_uuid}}/files/{{name}} URI of a file {LIST_DOWNLOADS} saved, "
            f"or an upload:// URI from {CREATE_UPLOAD} (where it is listed)."
        ),
    ],
    preview: Annotated[
        bool,
        Field(description="Also return a picture of the model from several angles (GLB only)."),
    ] = True,
) -> CallToolResult:
    """Facts about a 3D model file."""
    service = await service_of(ctx)
    async with tool_errors():
        result, sheet = await service.inspect_model(model, preview=preview)
    content: list[ContentBlock] = [TextContent(type="text", text=result.model_dump_json())]
    if sheet is not None:
        data = base64.b64encode(sheet).decode("ascii")
        content.append(ImageContent(type="image", data=data, mime_type="image/webp"))
    structured = result.model_dump(mode="json")
    if result.task_uuid is not None:
        name = Path(result.model.path).name
        viewer = await viewer_of(ctx, service, result.task_uuid, first=name)
        if viewer is not None:
            structured["viewer"] = viewer.model_dump(mode="json")
    return CallToolResult(content=content, structured_content=structured)


async def check_balance(ctx: Context[AppState]) -> BalanceResult:
    """The account's credits and this process's spending."""
    async with tool_errors():
        service = await service_of(ctx)
        return await service.balance()


async def list_tasks(
    ctx: Context[AppState],
    limit: Annotated[int, Field(ge=1, le=200, description="How many tasks to list.")] = 20,
) -> TasksResult:
    """Recent tasks from the ledger, newest first."""
    return await (await service_of(ctx)).tasks(limit)


def register_tools(
    mcp: MCPServer, settings: Settings, *, with_viewer: bool = False, with_uploads: bool = False
) -> None:
    """Add the rodin-mcp tools to ``mcp``; their descriptions quote ``settings``' figures.

    ``with_viewer`` links the downloads tool to the MCP Apps viewer (``_meta.ui``);
    ``with_uploads`` adds ``create_upload`` (over HTTP, where the link routes serve it).
    """
    _assemble_signatures()
    assemble_signatures()
    check_status.__annotations__["return"] = StatusOutput
    list_downloads.__annotations__["return"] = Annotated[CallToolResult, DownloadsOutput]
    inspect_model.__annotations__["return"] = Annotated[CallToolResult, InspectResult]
    convert_model.__annotations__["return"] = Annotated[CallToolResult, ConvertResult]
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=True)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True)
    tools: list[tuple[Any, str, str, ToolAnnotations]] = [
        (
            generate_3d,
            GENERATE_3D,
            "Generate a 3D model",
            writes.model_copy(update={"idempotent_hint": False}),
        ),
        (
            generate_texture,
            GENERATE_TEXTURE,
            "Texture a 3D model",
            writes.model_copy(update={"idempotent_hint": False}),
        ),
        (
            split_into_parts,
            SPLIT_PARTS,
            "Split a 3D model into parts",
            writes.model_copy(update={"idempotent_hint": False}),
        ),
        (check_status, CHECK_STATUS, "Check a generation's status", read_only),
        (
            list_downloads,
            LIST_DOWNLOADS,
            "Download a generation's files",
            writes.model_copy(update={"idempotent_hint": True}),
        ),
        (check_balance, CHECK_BALANCE, "Check the credit balance", read_only),
        (
            inspect_model,
            INSPECT_MODEL,
            "Inspect a 3D model file",
            ToolAnnotations(read_only_hint=True, open_world_hint=False),
        ),
        (
            convert_model,
            CONVERT_MODEL,
            "Convert a 3D model (free)",
            ToolAnnotations(
                read_only_hint=False,
                destructive_hint=False,
                idempotent_hint=False,
                open_world_hint=False,
            ),
        ),
        (
            list_tasks,
            LIST_TASKS,
            "List recent tasks",
            ToolAnnotations(read_only_hint=True, open_world_hint=False),
        ),
    ]
    if with_uploads:
        hints = ToolAnnotations(
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        )
        tools.append((create_upload, CREATE_UPLOAD, "Make a link to send a file to", hints))
    for fn, name, title, hints in tools:
        description = describe(name, settings)
        shows_viewer = fn in (list_downloads, inspect_model, convert_model)
        meta = viewer_tool_meta() if with_viewer and shows_viewer else None
        mcp.add_tool(
            fn, name=name, title=title, description=description, annotations=hints, meta=meta
        )
