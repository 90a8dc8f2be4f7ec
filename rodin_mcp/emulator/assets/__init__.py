"""The emulator's asset generator: request facts -> the real files of a finished task.

``generate_files(AssetRequest(...))`` returns :class:`GeneratedFile` objects (name, bytes,
content type), byte-identical for equal requests.

**Geometry.** The first known noun of the prompt picks a procedural shape (chair, table,
mug/cup, lamp, tree, house, car, sword, robot, vase, bottle, sofa, rocket, mushroom, donut,
crate/box, ball/planet; anything else is a rounded rock). The seed varies its proportions,
part counts, styles and colours. The object is centred on the origin, Y up, its largest side
1 m, or stretched to ``bbox`` proportions (``[Width(Y), Height(Z), Length(X)]`` in Rodin's Z-up
axes, i.e. glTF X : Y : Z = Length : Height : Width). The face count tracks ``target_faces``
(a face is a quad in Quad mode, a triangle in Raw mode), clamped to [500, 200,000]; HighPack
models get 4x the target (Rodin gives ~16x; the emulator stays smaller to stay fast).

**Materials.** PBR textures are procedural (wood, brushed metal, fabric, stone, foliage, ...),
coloured by the prompt's colour words and changed by material words ("wooden", "golden",
"marble", ...). With an input image, the image (RGB, alpha over white, Lanczos-resized) *is*
the base-colour texture, projected onto the object from the front. "Shaded" bakes lighting
into the base colour and is written unlit. Textures are 512 px (256 for Sketch, 1024 for
HighPack): a quarter of Rodin's 2K/1K/4K, to keep generation fast.

**Files**, in this order:

- model files: ``base_basic_pbr.<fmt>`` (material PBR), ``base_basic_shaded.<fmt>`` (Shaded),
  both for All; for material None a single untextured ``base_basic_pbr.<fmt>``. HighPack adds
  ``base_high_pbr.<fmt>`` / ``base_high_shaded.<fmt>``. OBJ models come with an MTL of the same
  stem (``base_basic_pbr.mtl``). glb and usdz embed their textures.
- loose textures, for obj, fbx and stl only: ``texture_diffuse.png``, ``texture_normal.png``,
  ``texture_metallic.png``, ``texture_roughness.png`` (PBR) and ``shaded.png`` (Shaded); HighPack
  adds ``texture_high_*.png`` and ``shaded_high.png``. STL itself carries no material: its
  textures are offered as they are for the other loose formats, and ``base_basic_shaded.stl``
  has the same geometry as ``base_basic_pbr.stl``.
- ``preview.webp``: 512 x 512, rendered from the basic model in its first material.

**Other tasks.** :mod:`.retexture` gives an uploaded model a texture made from a reference image
(``/rodin_texture_only``); :mod:`.splitting` cuts a generation's basic model into part meshes
(``/bang``). Both write their files through :mod:`.packaging`, with the same names.
"""

from rodin_mcp.emulator.assets.generator import (
    FACE_CAP,
    AssetRequest,
    GeneratedFile,
    face_budget,
    generate_files,
    texture_size,
)

__all__ = [
    "FACE_CAP",
    "AssetRequest",
    "GeneratedFile",
    "face_budget",
    "generate_files",
    "texture_size",
]
