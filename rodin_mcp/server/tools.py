"""The MCP tools: thin adapters from tool arguments to service calls and back.

``generate_3d`` exposes every option of :class:`~rodin_mcp.api.models.GenerationRequest` as a flat
argument; its signature is assembled from the request model so the two can never drift apart.
"""

from __future__ import annotations

import base64
import inspect
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import (
    CallToolResult,
    ContentBlock,
    ImageContent,
    ResourceLink,
    TextContent,
    ToolAnnotations,
)
from pydantic import BaseModel, Field

from rodin_mcp.api.models import GenerationRequest
from rodin_mcp.results import (
    BalanceResult,
    DownloadsResult,
    GenerateResult,
    StatusResult,
    TasksResult,
)
from rodin_mcp.server.errors import tool_errors
from rodin_mcp.server.state import AppState
from rodin_mcp.service import RodinService

__all__ = ["register_tools"]

MAX_WAIT_SECONDS = 50.0
PREVIEW_INLINE_LIMIT = 2 * 1024 * 1024
# Options the tool spells differently or takes elsewhere.
_NOT_OPTIONS = frozenset({"prompt", "image_count"})


class SpendApproval(BaseModel):
    """The user's answer to 'spend credits on this generation?'."""

    approve: bool = Field(description="Spend the credits on this generation?")


async def _service(ctx: Context[AppState]) -> RodinService:
    async with tool_errors():
        return await ctx.request_context.lifespan_context.service()


async def approve_spend(
    ctx: Context[AppState],
    prompt: str | None = None,
    images: list[str] | None = None,
    force_new: bool = False,
    **options: Any,
) -> SpendApproval | Elicit[SpendApproval]:
    """Ask the user before spending real credits, where the client can be asked.

    Nothing is asked in the sandbox, with ``RODIN_CONFIRM_SPEND=never``, when the client cannot
    answer, or when the call would spend nothing (an identical recent task is reused, or the
    arguments are refused anyway). The resolver sees every argument of generate_3d.
    """
    service = await _service(ctx)
    if service.sandbox or service.settings.confirm_spend == "never" or not _can_elicit(ctx):
        return SpendApproval(approve=True)
    cost = await service.spend_needed(
        {"prompt": prompt, **options}, images or [], force_new=force_new
    )
    if cost == 0:
        return SpendApproval(approve=True)
    tier = options.get("tier", "Regular")
    subject = f"'{prompt[:80]}'" if prompt else f"{len(images or [])} image(s)"
    return Elicit(
        f"Generate a 3D model from {subject} with Rodin {tier}? This spends {cost:g} credits.",
        SpendApproval,
    )


def _can_elicit(ctx: Context[AppState]) -> bool:
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def generate_3d(
    ctx: Context[AppState],
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(approve_spend)],
    prompt: str | None = None,
    images: list[str] | None = None,
    force_new: bool = False,
    **options: Any,
) -> GenerateResult:
    """Start a Rodin 3D generation from a text prompt and/or up to 5 images. Spends credits.

    Costs 0.5 credit (Gen-2.5-Extreme-High: 1), +1 with high_pack, +2 with texture_mode
    extreme-high. Returns within seconds with a task_uuid; the model takes ~20 s to several
    minutes. Then call check_status(task_uuid, wait_seconds=45) until state is done, and
    list_downloads(task_uuid) to save the files. An identical request within 10 minutes returns
    the existing task instead of paying again. Images: absolute local paths, file:// or data:
    URIs, or http(s) URLs.
    """
    if not isinstance(approval, AcceptedElicitation) or not approval.data.approve:
        raise ToolError(
            "The user did not approve spending credits on this generation; nothing was "
            "submitted. Ask what they would like to change."
        )
    async with tool_errors():
        service = await _service(ctx)
        return await service.generate(
            {"prompt": prompt, **options}, images or [], force_new=force_new
        )


def _option_parameters() -> list[inspect.Parameter]:
    params: list[inspect.Parameter] = []
    for name, info in GenerationRequest.model_fields.items():
        if name in _NOT_OPTIONS:
            continue
        annotation = Annotated[
            info.annotation,  # type: ignore[name-defined]
            *info.metadata,
            Field(description=info.description),
        ]
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=info.default, annotation=annotation
            )
        )
    return params


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
                        "local paths, file:// or data: URIs, or http(s) URLs. Paths inside the "
                        "assistant's own sandbox do not exist on the user's computer."
                    ),
                ),
            ],
            None,
        ),
        "force_new": (
            Annotated[
                bool,
                Field(
                    description=(
                        "Submit even when an identical request was made recently or may already "
                        "have been billed. Costs credits again."
                    )
                ),
            ],
            False,
        ),
    }


def _flatten(fn: Any, leading: dict[str, Any], returns: Any) -> None:
    """Give ``fn`` one keyword argument per request option, after ``leading`` and the common ones.

    The tool's input schema is built from this signature, and its resolver sees the same names.
    """
    params = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a)
        for n, a in leading.items()
    ]
    params += [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
        for n, (a, d) in _common_parameters().items()
    ]
    params += _option_parameters()
    annotations: dict[str, Any] = {p.name: p.annotation for p in params}
    annotations["return"] = returns
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = annotations


def _assemble_signatures() -> None:
    _flatten(
        approve_spend,
        {"ctx": Context[AppState]},
        SpendApproval | Elicit[SpendApproval],
    )
    _flatten(
        generate_3d,
        {
            "ctx": Context[AppState],
            "approval": Annotated[ElicitationResult[SpendApproval], Resolve(approve_spend)],
        },
        GenerateResult,
    )


async def check_status(
    ctx: Context[AppState],
    task_uuid: Annotated[str, Field(description="task_uuid from generate_3d.")],
    subscription_key: Annotated[
        str | None,
        Field(description="Only for tasks this server did not submit: their subscription_key."),
    ] = None,
    wait_seconds: Annotated[
        float,
        Field(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Wait up to this many seconds (0-50) for the task to finish.",
        ),
    ] = 0,
) -> StatusResult:
    """Report a Rodin task's state: waiting, generating, done or failed. Free.

    With wait_seconds, waits (sending progress) and returns as soon as the task finishes.
    """
    service = await _service(ctx)
    step = 0

    async def progress(status: StatusResult) -> None:
        nonlocal step
        step += 1
        done = sum(1 for j in status.jobs if j.status == "Done")
        await ctx.report_progress(
            step, None, f"{status.state}: {done}/{len(status.jobs)} jobs done"
        )

    async with tool_errors():
        return await service.status(
            task_uuid,
            subscription_key=subscription_key,
            wait_seconds=wait_seconds,
            on_update=progress,
        )


async def list_downloads(
    ctx: Context[AppState],
    task_uuid: Annotated[str, Field(description="task_uuid from generate_3d.")],
    download: Annotated[
        bool, Field(description="Fetch the files to the output folder (default true).")
    ] = True,
) -> Annotated[CallToolResult, DownloadsResult]:
    """Save a finished task's files (model, textures, preview) on the user's disk. Free.

    Returns each file's absolute path and an MCP resource URI, plus the preview image. Before the
    task is done it says so and downloads nothing. Result links expire after 10 minutes at
    Rodin, and results are kept there for 7 days; this tool fetches fresh links itself.
    """
    service = await _service(ctx)
    async with tool_errors():
        result = await service.fetch_results(task_uuid, download=download)
    content: list[ContentBlock] = [TextContent(type="text", text=result.model_dump_json())]
    preview = _preview_block(result)
    if preview is not None:
        content.append(preview)
    content += [
        ResourceLink(
            type="resource_link",
            name=f.name,
            uri=f.uri,
            size=f.size,
            mime_type=f.mime_type,
            description=f"Saved at {f.path}",
        )
        for f in result.files
    ]
    return CallToolResult(content=content, structured_content=result.model_dump(mode="json"))


def _preview_block(result: DownloadsResult) -> ImageContent | None:
    if result.preview_path is None:
        return None
    path = Path(result.preview_path)
    if not path.is_file() or path.stat().st_size > PREVIEW_INLINE_LIMIT:
        return None
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return ImageContent(type="image", data=data, mime_type="image/webp")


async def check_balance(ctx: Context[AppState]) -> BalanceResult:
    """Report the Rodin account's credit balance, and this session's spending. Free."""
    async with tool_errors():
        service = await _service(ctx)
        return await service.balance()


async def list_tasks(
    ctx: Context[AppState],
    limit: Annotated[int, Field(ge=1, le=200, description="How many tasks to list.")] = 20,
) -> TasksResult:
    """List recent generation tasks this server knows, newest first, with their state. Free."""
    return (await _service(ctx)).tasks(limit)


def _described(fn: Any) -> str:
    return inspect.cleandoc(fn.__doc__ or "")


def register_tools(mcp: MCPServer) -> None:
    """Add the rodin-mcp tools to ``mcp``."""
    _assemble_signatures()
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=True)
    mcp.add_tool(
        generate_3d,
        description=_described(generate_3d),
        title="Generate a 3D model",
        annotations=ToolAnnotations(
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    )
    mcp.add_tool(
        check_status,
        description=_described(check_status),
        title="Check a generation's status",
        annotations=read_only,
    )
    mcp.add_tool(
        list_downloads,
        description=_described(list_downloads),
        title="Download a generation's files",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
        ),
    )
    mcp.add_tool(
        check_balance,
        description=_described(check_balance),
        title="Check the credit balance",
        annotations=read_only,
    )
    mcp.add_tool(
        list_tasks,
        description=_described(list_tasks),
        title="List recent tasks",
        annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
    )
