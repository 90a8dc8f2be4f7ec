"""The MCP Apps 3D viewer: its ``ui://`` resource, and what only Apps clients are shown of it.

The viewer is one self-contained HTML file built from ``viewer/`` (three.js and the ext-apps
``App``) into ``viewer_dist/viewer.html`` beside this module; a package built without Node has
no viewer and the server behaves exactly as before. With the file present:

* the resource ``ui://rodin-mcp/viewer.html`` (``text/html;profile=mcp-app``) is registered;
* the downloads tool carries ``_meta.ui.resourceUri`` pointing at it;
* a client that declares MCP Apps support gets a ``viewer`` object in that tool's (and
  inspect_model's, for a downloaded file) structured result: the task's GLB models and the
  resource URIs the viewer reads them from: a lightweight copy of a large model under
  ``rodin://tasks/{task_uuid}/views/{name}``, the full file under ``.../files/{name}``.

A client that does not declare Apps support sees none of it (see :class:`AppsOnlyForAppsClients`):
the same tools, resources, capabilities and results as a server without the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, cast

from mcp.server.apps import EXTENSION_ID, Apps, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import BaseModel, Field

from rodin_mcp.service import RodinService, ViewerFile

__all__ = [
    "VIEWER_BUNDLE",
    "VIEWER_URI",
    "AppsOnlyForAppsClients",
    "ViewerPayload",
    "client_wants_viewer",
    "viewer_apps",
    "viewer_html",
    "viewer_of",
    "viewer_tool_meta",
]

VIEWER_URI = "ui://rodin-mcp/viewer.html"
VIEWER_BUNDLE = Path(__file__).resolve().parent / "viewer_dist" / "viewer.html"
"""Where the build puts the viewer (``viewer/build.mjs``); absent when built without Node."""

VIEWS_TEMPLATE = "rodin://tasks/{task_uuid}/views/{name}"
_VIEWS_PREFIX = "rodin://tasks/"


class ViewerPayload(BaseModel):
    """What the viewer reads from a tool result (``structuredContent.viewer``)."""

    task_uuid: str = Field(
        description="The task whose models these are (for a local model's conversion, the "
        "conversion's id)."
    )
    models: list[ViewerFile] = Field(description="The task's GLB models, the shown one first.")


@cache
def viewer_html() -> str | None:
    """The built viewer document, or None when this package was built without it."""
    try:
        return VIEWER_BUNDLE.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def viewer_apps(html: str) -> Apps:
    """The MCP Apps extension serving the viewer document."""
    apps = Apps()
    apps.add_html_resource(
        VIEWER_URI,
        html,
        name="rodin_viewer",
        title="3D model viewer",
        description="Interactive viewer for a generation's GLB models.",
        prefers_border=True,
    )
    return apps


def viewer_tool_meta() -> dict[str, Any]:
    """The ``_meta`` that links a tool's results to the viewer."""
    return {"ui": {"resourceUri": VIEWER_URI}}


def client_wants_viewer(ctx: Context[Any] | ServerRequestContext[Any, Any]) -> bool:
    """Whether this server has the viewer and the client declared MCP Apps support."""
    return viewer_html() is not None and client_supports_apps(ctx)


async def viewer_of(
    ctx: Context[Any] | ServerRequestContext[Any, Any],
    service: RodinService,
    task_uuid: str,
    *,
    first: str | None = None,
) -> ViewerPayload | None:
    """The viewer's view of a task's models (``first`` shown first), for an Apps client of a
    server with the viewer; None for anyone else."""
    if not client_wants_viewer(ctx):
        return None
    models = await service.viewer_files(task_uuid)
    models.sort(key=lambda m: m.name != first)
    return ViewerPayload(task_uuid=task_uuid, models=models)


def _is_view_uri(uri: str) -> bool:
    return uri.startswith(_VIEWS_PREFIX) and "/views/" in uri


class AppsOnlyForAppsClients(ServerMiddleware[Any]):
    """Hides the viewer from clients that did not declare MCP Apps support.

    For such a client ``tools/list`` loses the tools' ``_meta.ui``, ``resources/list`` the
    ``ui://`` resources, ``server/discover`` (2026-07-28) the Apps extension in the server's
    capabilities, and ``resources/read`` of a ``ui://`` URI is refused as for an unknown
    resource. Capabilities are read per request, so this holds on both protocol eras: the
    2025-11-25 handshake's and the 2026-07-28 per-request envelope's.
    """

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if ctx.request_id is None or ctx.method not in _GATED or client_supports_apps(ctx):
            return await call_next(ctx)
        uri = str((ctx.params or {}).get("uri", ""))
        if ctx.method == "resources/read":
            if uri.startswith("ui://") or _is_view_uri(uri):
                # What an unknown resource gets (the SDK's ResourceNotFoundError answer).
                raise MCPError(
                    code=INVALID_PARAMS, message=f"Unknown resource: {uri}", data={"uri": uri}
                )
            return await call_next(ctx)
        result = _as_dict(await call_next(ctx))
        if result is None:
            return None
        return _GATED[ctx.method](result)


def _as_dict(result: HandlerResult) -> dict[str, Any] | None:
    if isinstance(result, BaseModel):
        return result.model_dump(by_alias=True, exclude_none=True, mode="json")
    return result


def _without_ui_links(result: dict[str, Any]) -> dict[str, Any]:
    tools: list[dict[str, Any]] = []
    for tool in cast(list[dict[str, Any]], result.get("tools", [])):
        meta = cast(dict[str, Any], tool.get("_meta") or {})
        if "ui" in meta:
            tool = {k: v for k, v in tool.items() if k != "_meta"}
            rest = {k: v for k, v in meta.items() if k != "ui"}
            if rest:
                tool["_meta"] = rest
        tools.append(tool)
    return {**result, "tools": tools}


def _without_ui_resources(result: dict[str, Any]) -> dict[str, Any]:
    resources = cast(list[dict[str, Any]], result.get("resources", []))
    kept = [r for r in resources if not str(r.get("uri", "")).startswith("ui://")]
    return {**result, "resources": kept}


def _without_view_templates(result: dict[str, Any]) -> dict[str, Any]:
    templates = cast(list[dict[str, Any]], result.get("resourceTemplates", []))
    kept = [t for t in templates if t.get("uriTemplate") != VIEWS_TEMPLATE]
    return {**result, "resourceTemplates": kept}


def _without_apps_capability(result: dict[str, Any]) -> dict[str, Any]:
    capabilities = cast(dict[str, Any], result.get("capabilities") or {})
    extensions = cast(dict[str, Any], capabilities.get("extensions") or {})
    if EXTENSION_ID not in extensions:
        return result
    rest = {k: v for k, v in extensions.items() if k != EXTENSION_ID}
    capabilities = {k: v for k, v in capabilities.items() if k != "extensions"}
    if rest:
        capabilities["extensions"] = rest
    return {**result, "capabilities": capabilities}


_GATED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "tools/list": _without_ui_links,
    "resources/list": _without_ui_resources,
    "resources/templates/list": _without_view_templates,
    "server/discover": _without_apps_capability,
    "resources/read": lambda result: result,
}
