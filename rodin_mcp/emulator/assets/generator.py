"""Request facts -> the named files of a finished Rodin task.

See the package docstring for the file list. Everything here is a pure function of the
request: the random generator is seeded from the seed, the prompt and the image bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from rodin_mcp.emulator.assets.assembly import (
    assemble,
    atlas_uvs,
    front_projection_uvs,
    pack_atlas,
    solve_density,
)
from rodin_mcp.emulator.assets.baking import bake_shaded
from rodin_mcp.emulator.assets.finishes import Finish, style_slots
from rodin_mcp.emulator.assets.image_texture import image_maps, image_pixels
from rodin_mcp.emulator.assets.packaging import (
    GeneratedFile,
    ModelLevel,
    model_files,
    preview_file,
    variants,
)
from rodin_mcp.emulator.assets.shapes import ShapePlan, plan_shape, shape_for_prompt
from rodin_mcp.emulator.assets.texture_maps import paint_atlas
from rodin_mcp.model.mesh import Mesh

__all__ = [
    "FACE_CAP",
    "MIN_FACES",
    "AssetRequest",
    "GeneratedFile",
    "face_budget",
    "generate_files",
    "generate_level",
    "texture_size",
]

FACE_CAP = 200_000
MIN_FACES = 500
HIGH_PACK_FACE_FACTOR = 4


@dataclass(frozen=True)
class AssetRequest:
    """The facts of a generation request that shape its files (resolved by the emulator).

    Attributes:
        prompt: Final prompt ("" allowed when an image is given).
        seed: 0..65535.
        tier: e.g. "Sketch", "Regular", "Gen-2", "Gen-2.5-Medium".
        geometry_file_format: "glb" | "usdz" | "fbx" | "obj" | "stl".
        material: "PBR" | "Shaded" | "All" | "None".
        mesh_mode: "Quad" | "Raw".
        target_faces: Face count asked for (quality / quality_override, already resolved).
        bbox: ``bbox_condition`` ``[Width(Y), Height(Z), Length(X)]``, or None.
        high_pack: HighPack addon: also emit ``base_high_*`` files.
        image: First input image (PNG/JPEG/WEBP bytes); becomes the base-colour texture.
        preview: Emit ``preview.webp``.
    """

    prompt: str
    seed: int
    tier: str
    geometry_file_format: str
    material: str
    mesh_mode: str
    target_faces: int
    bbox: tuple[int, int, int] | None
    high_pack: bool
    image: bytes | None
    preview: bool = True


def face_budget(target_faces: int, high: bool = False) -> int:
    """Faces actually built for a target: at least MIN_FACES, at most FACE_CAP.

    HighPack models get ``HIGH_PACK_FACE_FACTOR`` times the target (Rodin's HighPack gives
    about 16 times in Quad mode; the emulator keeps it smaller to stay fast).
    """
    wanted = target_faces * (HIGH_PACK_FACE_FACTOR if high else 1)
    return int(min(FACE_CAP, max(MIN_FACES, wanted)))


def texture_size(tier: str, high: bool = False) -> int:
    """Texture edge in texels: 256 for Sketch, 512 otherwise, 1024 for HighPack.

    Rodin's are 1K / 2K / 4K; the emulator keeps a quarter of that so generation stays fast.
    """
    if high:
        return 1024
    return 256 if tier.strip().lower() == "sketch" else 512


def _rng_for(request: AssetRequest) -> np.random.Generator:
    prompt_hash = int.from_bytes(
        hashlib.sha256(request.prompt.encode("utf-8")).digest()[:8], "little"
    )
    image_hash = int.from_bytes(hashlib.sha256(request.image or b"").digest()[:8], "little")
    return np.random.default_rng([request.seed & 0xFFFF, prompt_hash, image_hash])


def _build_model(
    request: AssetRequest,
    plan: ShapePlan,
    finishes: dict[str, Finish],
    paint_seed: int,
    faces: int,
    size: int,
) -> ModelLevel:
    quad_mode = request.mesh_mode.strip().lower() != "raw"
    density = solve_density(plan.parts, faces, quad_mode)
    surfaces = [surface for part in plan.parts for surface in part.build(density)]
    geometry = assemble(surfaces, request.bbox)
    image = image_pixels(request.image, size) if request.image else None
    if image is not None:
        uvs = front_projection_uvs(geometry.positions)
        maps = image_maps(image)
    else:
        rects = pack_atlas(geometry.surfaces, size, margin=max(2, size // 128))
        uvs = atlas_uvs(geometry, rects, size)
        maps = paint_atlas(rects, finishes, size, paint_seed)
    quads, tris = geometry.quads, geometry.triangles
    if not quad_mode:
        split = np.stack([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]], axis=1).reshape(-1, 3)
        quads, tris = np.zeros((0, 4), dtype=np.int64), np.concatenate([split, tris])
    all_tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]], tris])
    shaded = bake_shaded(geometry.positions, geometry.normals, uvs, all_tris, maps.base_color)
    return ModelLevel(
        positions=geometry.positions.astype(np.float32),
        normals=geometry.normals.astype(np.float32),
        uvs=uvs.astype(np.float32),
        quads=quads.astype(np.uint32),
        triangles=tris.astype(np.uint32),
        maps=maps,
        shaded=shaded,
    )


@dataclass(frozen=True)
class _Shape:
    kind: str
    plan: ShapePlan
    finishes: dict[str, Finish]
    paint_seed: int


def _plan(request: AssetRequest) -> _Shape:
    """The shape, finishes and paint seed: the first draws from the request's generator."""
    rng = _rng_for(request)
    kind = shape_for_prompt(request.prompt)
    plan = plan_shape(kind, request.prompt, rng)
    finishes = style_slots(plan.slots, request.prompt, rng)
    return _Shape(kind, plan, finishes, int(rng.integers(1 << 31)))


def generate_level(request: AssetRequest, *, high_texture: bool = False) -> tuple[ModelLevel, str]:
    """The basic model of ``request`` (as in its ``base_basic_*`` files) and its mesh name.

    With ``high_texture`` its textures are the HighPack size instead; the geometry is the same.
    """
    shape = _plan(request)
    faces = face_budget(request.target_faces)
    size = texture_size(request.tier, high_texture)
    model = _build_model(request, shape.plan, shape.finishes, shape.paint_seed, faces, size)
    return model, f"rodin_{shape.kind}"


def generate_files(request: AssetRequest) -> list[GeneratedFile]:
    """Generate every file a finished task with these facts offers for download.

    Args:
        request: The resolved request facts.

    Returns:
        Model files first (``base_basic_*``, then ``base_high_*`` with HighPack), then loose
        textures (obj/fbx/stl), then ``preview.webp``. Byte-identical for equal requests.

    Raises:
        ValueError: ``geometry_file_format`` is not one of glb, usdz, fbx, obj, stl.
    """
    fmt = request.geometry_file_format.strip().lower()
    if fmt not in ("glb", "usdz", "fbx", "obj", "stl"):
        raise ValueError(f"unsupported geometry_file_format {request.geometry_file_format!r}")
    shape = _plan(request)
    chosen = variants(request.material)
    mesh_name = f"rodin_{shape.kind}"

    levels = [("basic", face_budget(request.target_faces), texture_size(request.tier))]
    if request.high_pack:
        levels.append(
            ("high", face_budget(request.target_faces, high=True), texture_size(request.tier, True))
        )
    models: list[GeneratedFile] = []
    loose: list[GeneratedFile] = []
    preview_mesh: Mesh | None = None
    for level, faces, size in levels:
        model = _build_model(request, shape.plan, shape.finishes, shape.paint_seed, faces, size)
        level_models, level_loose, level_mesh = model_files(model, level, fmt, chosen, mesh_name)
        models += level_models
        loose += level_loose
        if preview_mesh is None and request.preview:
            preview_mesh = level_mesh
    files = models + loose
    if preview_mesh is not None:
        files.append(preview_file(preview_mesh))
    return files
