"""Software rendering of meshes: the ``preview.webp`` of a model, and contact sheets.

:func:`render_preview` turns a :class:`~rodin_mcp.model.Mesh` (with its base-colour and
metallic-roughness textures) into WEBP bytes: a lit, textured three-quarter view on a light
background, rendered by a numpy z-buffer rasteriser (:mod:`rodin_mcp.model.render.raster`).
:func:`render_contact_sheet` puts 2-4 views of a mesh in one WEBP, and :func:`preview_of_file`
makes that sheet from a GLB file within a time budget.
"""

from rodin_mcp.model.render.contact_sheet import render_contact_sheet
from rodin_mcp.model.render.file_preview import preview_of_file
from rodin_mcp.model.render.preview import Camera, render_preview, render_rgb, render_view
from rodin_mcp.model.render.raster import Coverage, rasterize
from rodin_mcp.model.render.scene import Scene, prepare_scene

__all__ = [
    "Camera",
    "Coverage",
    "Scene",
    "prepare_scene",
    "preview_of_file",
    "rasterize",
    "render_contact_sheet",
    "render_preview",
    "render_rgb",
    "render_view",
]
