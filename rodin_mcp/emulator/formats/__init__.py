"""The emulator's file writers: a :class:`~rodin_mcp.model.Mesh` as GLB, OBJ, STL, USDZ or FBX.

Only the emulator writes model files (its stand-ins for Rodin's results); the mesh model they
write and the GLB reader live in :mod:`rodin_mcp.model`, which the product uses too.

What each writer produces (all output is deterministic: equal meshes give equal bytes):

- **GLB** (:func:`write_glb`, glTF 2.0 binary). One scene, one node, one mesh with one
  triangle primitive: ``POSITION`` (with exact ``min``/``max``), ``NORMAL``, ``TEXCOORD_0``,
  ``TANGENT`` when the material has a normal map, and uint16/uint32 indices; every buffer
  view is 4-byte aligned. The material's base-colour, metallic-roughness (G roughness,
  B metallic) and normal textures are embedded as PNG buffer views; an unlit material uses
  ``KHR_materials_unlit``. The Khronos glTF Validator reports no errors and no warnings.
- **OBJ + MTL** (:func:`write_obj`, :func:`write_mtl`). ``v``/``vt``/``vn`` and
  ``f v/vt/vn`` faces (quads kept as 4-vertex faces, or split on request); the MTL names the
  texture files that sit next to it: ``map_Kd`` (base colour), ``norm``/``map_Bump``
  (normal map), ``map_Pm`` (metallic), ``map_Pr`` (roughness), with ``Pm``/``Pr`` factors.
- **STL** (:func:`write_stl`, binary). Every face as triangles with facet normals; no
  material or UVs (STL has neither).
- **USDZ** (:func:`write_usdz`). A stored zip whose entries are 64-byte aligned, with a
  ``.usda`` root layer first: an ``Xform`` "Root" holding one ``Mesh`` (quads kept), normals
  and ``primvars:st``, bound to a ``UsdPreviewSurface`` material whose ``UsdUVTexture``
  shaders read ``textures/diffuse.png``, ``textures/metallic_roughness.png`` (metallic from
  B, roughness from G) and ``textures/normal.png`` inside the package.
- **FBX** (:func:`write_fbx`, 7.4 ASCII). ``; FBX 7.4.0 project file`` header,
  ``FBXHeaderExtension``, ``GlobalSettings`` (Y up, unit scale 100 = metres),
  ``Definitions``, ``Objects`` (``Geometry`` with ``Vertices``, ``PolygonVertexIndex``,
  ``LayerElementNormal`` and ``LayerElementUV`` by vertex; ``Model``; Phong ``Material``;
  ``Texture``/``Video`` pairs naming PNG files next to the FBX) and ``Connections``.
"""

from rodin_mcp.emulator.formats.fbx import FbxTextures, write_fbx
from rodin_mcp.emulator.formats.glb import write_glb, write_glb_meshes
from rodin_mcp.emulator.formats.obj import MtlTextures, write_mtl, write_obj
from rodin_mcp.emulator.formats.stl import write_stl
from rodin_mcp.emulator.formats.usdz import write_usdz, zip_stored_aligned

__all__ = [
    "FbxTextures",
    "MtlTextures",
    "write_fbx",
    "write_glb",
    "write_glb_meshes",
    "write_mtl",
    "write_obj",
    "write_stl",
    "write_usdz",
    "zip_stored_aligned",
]
