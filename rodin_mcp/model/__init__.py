"""3D models in the product: the mesh model, the GLB reader, model facts and preview rendering.

- **Mesh** (:mod:`rodin_mcp.model.mesh`): a :class:`Mesh` holds float32 positions, unit normals
  and UVs per (split) vertex, quad and triangle faces wound counter-clockwise seen from outside,
  Y up, metres, and at most one :class:`Material` (glTF metallic-roughness; textures as PNG
  bytes; ``unlit`` for baked lighting).
- **GLB reader** (:mod:`rodin_mcp.model.glb_reader`): :func:`read_glb` reads a GLB's default
  scene back into one triangle :class:`Mesh` (node transforms applied, primitives merged, first
  material kept), checking every offset, and raises :class:`GLBReadError` on anything malformed
  or unsupported.
- **Facts** (:mod:`rodin_mcp.model.facts`, :mod:`rodin_mcp.model.inspection`):
  :func:`inspect_model_file` tells a :class:`ModelFacts` (vertex and triangle counts,
  :class:`BoundingBox`, materials, :class:`TextureFacts`) for people and models. It reads GLB
  fully (through the GLB reader), OBJ, STL and ASCII FBX by scanning their text, and USDZ
  packages for their textures and text layers (:mod:`rodin_mcp.model.format_facts`).
- **Rendering** (:mod:`rodin_mcp.model.render`): :func:`render_preview` turns a :class:`Mesh`
  into the WEBP bytes of a lit, textured three-quarter view; :func:`render_contact_sheet` into
  one WEBP of 2-4 views; :func:`preview_of_file` makes that sheet from a GLB file within a time
  budget (or returns None).
- **Viewer copy** (:mod:`rodin_mcp.model.viewer_copy`): :func:`lightweight_glb` writes a plain
  glTF 2.0 binary for an in-browser viewer: decimated by vertex clustering
  (:mod:`rodin_mcp.model.decimate`) and with textures scaled down, through the model room's own
  GLB writer (:mod:`rodin_mcp.model.glb_writer`).

- **Conversion** (:mod:`rodin_mcp.model.conversion`): a model converted to GLB, OBJ, STL, 3MF or
  USDZ, scaled, turned, placed, simplified and checked for printing, on the optional ``convert``
  libraries (trimesh, fast-simplification, manifold3d, lib3mf, usd-core), loaded on first use.

Importing this package is cheap: numpy and Pillow load only when a file is inspected, or when
one of the mesh, reader, rendering or viewer-copy names is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from rodin_mcp.model.facts import BoundingBox, ModelFacts, TextureFacts
from rodin_mcp.model.inspection import (
    MAX_READ_WHOLE_BYTES,
    MODEL_SUFFIXES,
    inspect_model_file,
    main_model_file,
)

if TYPE_CHECKING:
    from rodin_mcp.model.glb_reader import GLBReadError, read_glb
    from rodin_mcp.model.mesh import Material, Mesh, vertex_normals, vertex_tangents
    from rodin_mcp.model.render import (
        Camera,
        preview_of_file,
        render_contact_sheet,
        render_preview,
        render_rgb,
    )
    from rodin_mcp.model.viewer_copy import lightweight_glb

__all__ = [
    "MAX_READ_WHOLE_BYTES",
    "MODEL_SUFFIXES",
    "BoundingBox",
    "Camera",
    "GLBReadError",
    "Material",
    "Mesh",
    "ModelFacts",
    "TextureFacts",
    "inspect_model_file",
    "lightweight_glb",
    "main_model_file",
    "preview_of_file",
    "read_glb",
    "render_contact_sheet",
    "render_preview",
    "render_rgb",
    "vertex_normals",
    "vertex_tangents",
]

# The names that need numpy (and Pillow), by the module that holds them; imported on first use.
_LAZY_NAMES = {
    "GLBReadError": "rodin_mcp.model.glb_reader",
    "read_glb": "rodin_mcp.model.glb_reader",
    "Material": "rodin_mcp.model.mesh",
    "Mesh": "rodin_mcp.model.mesh",
    "vertex_normals": "rodin_mcp.model.mesh",
    "vertex_tangents": "rodin_mcp.model.mesh",
    "Camera": "rodin_mcp.model.render",
    "render_preview": "rodin_mcp.model.render",
    "render_rgb": "rodin_mcp.model.render",
    "render_contact_sheet": "rodin_mcp.model.render",
    "preview_of_file": "rodin_mcp.model.render",
    "lightweight_glb": "rodin_mcp.model.viewer_copy",
}


def __getattr__(name: str) -> object:
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
