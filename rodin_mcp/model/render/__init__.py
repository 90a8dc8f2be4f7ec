"""Software rendering of meshes: the ``preview.webp`` of a model.

:func:`render_preview` turns a :class:`~rodin_mcp.model.Mesh` (with its base-colour and
metallic-roughness textures) into WEBP bytes: a lit, textured three-quarter view on a light
background, rendered by a numpy z-buffer rasteriser (:mod:`rodin_mcp.model.render.raster`).
"""

from rodin_mcp.model.render.preview import Camera, render_preview, render_rgb
from rodin_mcp.model.render.raster import Coverage, rasterize

__all__ = ["Camera", "Coverage", "rasterize", "render_preview", "render_rgb"]
