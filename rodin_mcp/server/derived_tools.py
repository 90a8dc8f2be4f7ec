"""The paid tools that start from an existing model: new textures for it, or its parts.

Both take one flat argument per request option (assembled from the request models), ask before
spending exactly as generate_3d does (:mod:`.spend_approval`), and answer generate_3d's shape.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from pydantic import Field

from rodin_mcp.server.outputs import GenerateOutput
from rodin_mcp.server.request_size import data_uri_limit
from rodin_mcp.server.signatures import flatten, option_parameters
from rodin_mcp.server.spend_approval import (
    FORCE_NEW_PARAMETER,
    Prepare,
    SpendApproval,
    arguments_key,
    ask_before_spending,
    submit_approved,
)
from rodin_mcp.server.state import AppState
from rodin_mcp.server.vocabulary import (
    CREATE_UPLOAD,
    GENERATE_3D,
    GENERATE_TEXTURE,
    LIST_DOWNLOADS,
    SPLIT_PARTS,
)
from rodin_mcp.service import (
    SPLITTABLE_TIER,
    GenerateResult,
    PreparedSubmission,
    RodinService,
    SplitRequest,
    TextureRequest,
    split_option_names,
    texture_option_names,
)

__all__ = ["assemble_signatures", "generate_texture", "split_into_parts"]

_MODEL = Annotated[
    str,
    Field(
        description="The model to texture: an absolute path or file:// URI of a GLB, USDZ, FBX, "
        f"OBJ or STL file on this computer, the rodin://tasks/{{task_uuid}}/files/{{name}} URI "
        f"of a file {LIST_DOWNLOADS} saved, or an upload:// URI from {CREATE_UPLOAD} (where it "
        "is listed)."
    ),
]
_IMAGE = Annotated[
    str,
    Field(
        description="One reference image for the texture: an absolute local path, a file:// or "
        f"data: URI, an http(s) URL, or an upload:// URI from {CREATE_UPLOAD} (where it is "
        f"listed). data: URIs: {data_uri_limit()}."
    ),
]
_TASK = Annotated[
    str,
    Field(
        description=f"task_uuid of a finished {SPLITTABLE_TIER} generation from {GENERATE_3D} "
        f"(tier={SPLITTABLE_TIER})."
    ),
]


def _texture_key(model: str, image: str, options: dict[str, Any]) -> str:
    return arguments_key(GENERATE_TEXTURE, model, image, options)


def _texture_prepare(model: str, image: str, options: dict[str, Any]) -> Prepare:
    async def prepare(service: RodinService) -> PreparedSubmission:
        return await service.prepare_texture(options, model, image)

    return prepare


async def approve_texture_spend(
    ctx: Context[AppState], model: str, image: str, force_new: bool = False, **options: Any
) -> SpendApproval | Elicit[SpendApproval]:
    """Ask before a texture task spends real credits."""

    def question(_prepared: PreparedSubmission, cost: float) -> str:
        return f"Texture the model {model[-80:]} with Rodin? This spends {cost:g} credits."

    return await ask_before_spending(
        ctx,
        _texture_key(model, image, options),
        _texture_prepare(model, image, options),
        question,
        force_new=force_new,
    )


async def generate_texture(
    ctx: Context[AppState],
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(approve_texture_spend)],
    model: str,
    image: str,
    force_new: bool = False,
    **options: Any,
) -> GenerateResult:
    """Submit a texture task (or reuse the identical recent one)."""
    key = _texture_key(model, image, options)
    prepare = _texture_prepare(model, image, options)
    return await submit_approved(ctx, approval, key, prepare, "texture", force_new=force_new)


def _split_key(task_uuid: str, options: dict[str, Any]) -> str:
    return arguments_key(SPLIT_PARTS, task_uuid, options)


def _split_prepare(task_uuid: str, options: dict[str, Any]) -> Prepare:
    async def prepare(service: RodinService) -> PreparedSubmission:
        return await service.prepare_split(options, task_uuid)

    return prepare


async def approve_split_spend(
    ctx: Context[AppState], task_uuid: str, force_new: bool = False, **options: Any
) -> SpendApproval | Elicit[SpendApproval]:
    """Ask before a part split spends real credits."""

    def question(_prepared: PreparedSubmission, cost: float) -> str:
        return f"Split the model of task {task_uuid} into parts? This spends {cost:g} credits."

    return await ask_before_spending(
        ctx,
        _split_key(task_uuid, options),
        _split_prepare(task_uuid, options),
        question,
        force_new=force_new,
    )


async def split_into_parts(
    ctx: Context[AppState],
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(approve_split_spend)],
    task_uuid: str,
    force_new: bool = False,
    **options: Any,
) -> GenerateResult:
    """Submit a part split (or reuse the identical recent one)."""
    key = _split_key(task_uuid, options)
    prepare = _split_prepare(task_uuid, options)
    return await submit_approved(ctx, approval, key, prepare, "part split", force_new=force_new)


def assemble_signatures() -> None:
    """Give both tools and their resolvers one argument per request option."""
    asks = SpendApproval | Elicit[SpendApproval]
    context = {"ctx": Context[AppState]}
    texture_options = option_parameters(TextureRequest, texture_option_names())
    texture_leading = {"model": _MODEL, "image": _IMAGE}
    flatten(
        approve_texture_spend,
        {**context, **texture_leading},
        {"force_new": FORCE_NEW_PARAMETER},
        texture_options,
        asks,
    )
    texture_approval = Annotated[ElicitationResult[SpendApproval], Resolve(approve_texture_spend)]
    flatten(
        generate_texture,
        {**context, "approval": texture_approval, **texture_leading},
        {"force_new": FORCE_NEW_PARAMETER},
        texture_options,
        GenerateOutput,
    )
    split_options = option_parameters(SplitRequest, split_option_names())
    flatten(
        approve_split_spend,
        {**context, "task_uuid": _TASK},
        {"force_new": FORCE_NEW_PARAMETER},
        split_options,
        asks,
    )
    split_approval = Annotated[ElicitationResult[SpendApproval], Resolve(approve_split_spend)]
    flatten(
        split_into_parts,
        {**context, "approval": split_approval, "task_uuid": _TASK},
        {"force_new": FORCE_NEW_PARAMETER},
        split_options,
        GenerateOutput,
    )
