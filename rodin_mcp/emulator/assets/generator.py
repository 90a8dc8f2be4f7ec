"""Request facts -> the named files of a finished Rodin task.

See the package docstring for the file list. Everything here is a pure function of the
request: the random generator is seeded from the seed, the prompt and the image bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.emulator.assets.assembly import (
    assemble,
    atlas_uvs,
    front_projection_uvs,
    pack_atlas,
    solve_density,
)
from rodin_mcp.emulator.assets.baking import bake_shaded
from rodin_mcp.emulator.assets.finishes import Finish, style_slots
from rodin_mcp.emulator.assets.shapes import ShapePlan, plan_shape, shape_for_prompt
from rodin_mcp.emulator.assets.texture_maps import TextureMaps, normal_map, paint_atlas
from rodin_mcp.emulator.formats import (
    FbxTextures,
    MtlTextures,
    write_fbx,
    write_glb,
    write_mtl,
    write_obj,
    write_stl,
    write_usdz,
)
from rodin_mcp.model.mesh import Material, Mesh
from rodin_mcp.model.render.preview import render_preview

__all__ = [
    "FACE_CAP",
    "MIN_FACES",
    "AssetRequest",
    "GeneratedFile",
    "face_budget",
    "generate_files",
    "texture_size",
]

logger = logging.getLogger(__name__)

FACE_CAP = 200_000
MIN_FACES = 500
HIGH_PACK_FACE_FACTOR = 4
PREVIEW_SIZE = 512

CONTENT_TYPES = {
    "glb": "model/gltf-binary",
    "usdz": "model/vnd.usdz+zip",
    "fbx": "application/octet-stream",
    "obj": "model/obj",
    "stl": "model/stl",
    "mtl": "text/plain",
    "png": "image/png",
    "webp": "image/webp",
}


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


@dataclass(frozen=True)
class GeneratedFile:
    """One downloadable file of a task."""

    name: str
    data: bytes
    content_type: str

    def __repr__(self) -> str:
        size = len(self.data)
        return (
            f"GeneratedFile(name={self.name!r}, bytes={size}, content_type={self.content_type!r})"
        )


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


def _png(pixels: NDArray[np.uint8]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _image_pixels(data: bytes, size: int) -> NDArray[np.uint8] | None:
    """The image as ``size`` x ``size`` RGB (alpha composited over white), Lanczos-resized.

    Undecodable images and decompression bombs (Pillow's pixel limit) give None.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale when large
                rgba = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        logger.warning("input image could not be decoded; using a procedural texture")
        return None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("RGB")
    return np.asarray(flat.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def _image_maps(pixels: NDArray[np.uint8]) -> TextureMaps:
    """Maps to go with a projected image: a gentle relief and roughness from its luminance."""
    luminance = (
        np.einsum("hwc,c->hw", pixels.astype(np.float64), np.array([0.2126, 0.7152, 0.0722]))
        / 255.0
    )
    roughness = ((0.45 + 0.3 * (1.0 - luminance)) * 255.0 + 0.5).astype(np.uint8)
    return TextureMaps(
        base_color=pixels,
        normal=normal_map(luminance, strength=2.0),
        roughness=roughness,
        metallic=np.zeros_like(roughness),
    )


@dataclass(frozen=True)
class _Model:
    """One level of detail: geometry, texture maps and the shaded bake."""

    positions: NDArray[np.float32]
    normals: NDArray[np.float32]
    uvs: NDArray[np.float32]
    quads: NDArray[np.uint32]
    triangles: NDArray[np.uint32]
    maps: TextureMaps
    shaded: NDArray[np.uint8]

    def mesh(self, name: str, material: Material | None) -> Mesh:
        return Mesh(
            self.positions, self.normals, self.uvs, self.triangles, self.quads, material, name
        )


def _build_model(
    request: AssetRequest,
    plan: ShapePlan,
    finishes: dict[str, Finish],
    paint_seed: int,
    faces: int,
    size: int,
) -> _Model:
    quad_mode = request.mesh_mode.strip().lower() != "raw"
    density = solve_density(plan.parts, faces, quad_mode)
    surfaces = [surface for part in plan.parts for surface in part.build(density)]
    geometry = assemble(surfaces, request.bbox)
    image = _image_pixels(request.image, size) if request.image else None
    if image is not None:
        uvs = front_projection_uvs(geometry.positions)
        maps = _image_maps(image)
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
    return _Model(
        positions=geometry.positions.astype(np.float32),
        normals=geometry.normals.astype(np.float32),
        uvs=uvs.astype(np.float32),
        quads=quads.astype(np.uint32),
        triangles=tris.astype(np.uint32),
        maps=maps,
        shaded=shaded,
    )


@dataclass(frozen=True)
class _Textures:
    """PNG files of one model, by role."""

    diffuse: bytes
    normal: bytes
    metallic_roughness: bytes
    metallic: bytes
    roughness: bytes
    shaded: bytes


def _encode(model: _Model) -> _Textures:
    maps = model.maps
    return _Textures(
        diffuse=_png(maps.base_color),
        normal=_png(maps.normal),
        metallic_roughness=_png(maps.metallic_roughness()),
        metallic=_png(maps.metallic),
        roughness=_png(maps.roughness),
        shaded=_png(model.shaded),
    )


def _materials(textures: _Textures) -> dict[str, Material]:
    return {
        "pbr": Material(
            name="pbr_material",
            metallic_factor=1.0,
            roughness_factor=1.0,
            base_color_png=textures.diffuse,
            normal_png=textures.normal,
            metallic_roughness_png=textures.metallic_roughness,
        ),
        "shaded": Material(
            name="shaded_material",
            metallic_factor=0.0,
            roughness_factor=1.0,
            base_color_png=textures.shaded,
            unlit=True,
        ),
    }


def _variants(material: str) -> list[str]:
    choice = material.strip().lower()
    if choice == "all":
        return ["pbr", "shaded"]
    if choice == "shaded":
        return ["shaded"]
    if choice == "none":
        return ["none"]
    return ["pbr"]


def _loose_names(level: str) -> dict[str, str]:
    prefix = "texture_high_" if level == "high" else "texture_"
    return {
        "diffuse": f"{prefix}diffuse.png",
        "normal": f"{prefix}normal.png",
        "metallic": f"{prefix}metallic.png",
        "roughness": f"{prefix}roughness.png",
        "shaded": "shaded_high.png" if level == "high" else "shaded.png",
    }


def _model_files(
    model: _Model, level: str, fmt: str, variants: list[str], mesh_name: str
) -> tuple[list[GeneratedFile], list[GeneratedFile], Mesh]:
    """The model files of one level, the loose textures they refer to, and the preview mesh."""
    textures = _encode(model) if variants != ["none"] else None
    materials = _materials(textures) if textures is not None else {}
    names = _loose_names(level)
    models: list[GeneratedFile] = []
    for variant in variants:
        stem = f"base_{level}_{'pbr' if variant == 'none' else variant}"
        mesh = model.mesh(mesh_name, materials.get(variant))
        if variant == "pbr":
            refs = {key: names[key] for key in ("diffuse", "normal", "metallic", "roughness")}
        elif variant == "shaded":
            refs = {"diffuse": names["shaded"]}
        else:
            refs = {}
        models.extend(_write(mesh, fmt, stem, refs))
    loose: list[GeneratedFile] = []
    if textures is not None and fmt in ("obj", "fbx", "stl"):
        payload = {
            "diffuse": textures.diffuse,
            "normal": textures.normal,
            "metallic": textures.metallic,
            "roughness": textures.roughness,
            "shaded": textures.shaded,
        }
        wanted = [k for k in ("diffuse", "normal", "metallic", "roughness") if "pbr" in variants]
        wanted += ["shaded"] if "shaded" in variants else []
        loose = [GeneratedFile(names[k], payload[k], CONTENT_TYPES["png"]) for k in wanted]
    return models, loose, model.mesh(mesh_name, materials.get(variants[0]))


def _write(mesh: Mesh, fmt: str, stem: str, refs: dict[str, str]) -> list[GeneratedFile]:
    name = f"{stem}.{fmt}"
    if fmt == "glb":
        return [GeneratedFile(name, write_glb(mesh), CONTENT_TYPES["glb"])]
    if fmt == "usdz":
        return [GeneratedFile(name, write_usdz(mesh, f"{stem}.usda"), CONTENT_TYPES["usdz"])]
    if fmt == "stl":
        return [GeneratedFile(name, write_stl(mesh), CONTENT_TYPES["stl"])]
    if fmt == "fbx":
        fbx_textures = FbxTextures(**refs)
        return [GeneratedFile(name, write_fbx(mesh, fbx_textures), CONTENT_TYPES["fbx"])]
    if fmt == "obj":
        if mesh.material is None:
            return [GeneratedFile(name, write_obj(mesh), CONTENT_TYPES["obj"])]
        mtl = f"{stem}.mtl"
        return [
            GeneratedFile(name, write_obj(mesh, mtl), CONTENT_TYPES["obj"]),
            GeneratedFile(mtl, write_mtl(mesh, MtlTextures(**refs)), CONTENT_TYPES["mtl"]),
        ]
    raise ValueError(f"unsupported geometry_file_format {fmt!r}")


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
    rng = _rng_for(request)
    kind = shape_for_prompt(request.prompt)
    plan = plan_shape(kind, request.prompt, rng)
    finishes = style_slots(plan.slots, request.prompt, rng)
    paint_seed = int(rng.integers(1 << 31))
    variants = _variants(request.material)
    mesh_name = f"rodin_{kind}"

    levels = [("basic", face_budget(request.target_faces), texture_size(request.tier))]
    if request.high_pack:
        levels.append(
            ("high", face_budget(request.target_faces, high=True), texture_size(request.tier, True))
        )
    models: list[GeneratedFile] = []
    loose: list[GeneratedFile] = []
    preview_mesh: Mesh | None = None
    for level, faces, size in levels:
        model = _build_model(request, plan, finishes, paint_seed, faces, size)
        level_models, level_loose, level_mesh = _model_files(model, level, fmt, variants, mesh_name)
        models += level_models
        loose += level_loose
        if preview_mesh is None and request.preview:
            preview_mesh = level_mesh
    files = models + loose
    if preview_mesh is not None:
        files.append(
            GeneratedFile(
                "preview.webp", render_preview(preview_mesh, PREVIEW_SIZE), CONTENT_TYPES["webp"]
            )
        )
    return files
