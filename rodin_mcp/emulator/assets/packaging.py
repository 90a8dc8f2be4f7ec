"""A finished model level -> its named files: model files, loose textures and the preview.

Shared by every kind of task (generation, re-texturing, part split), so their file lists follow
one set of rules (see the package docstring).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.emulator.assets.texture_maps import TextureMaps
from rodin_mcp.emulator.formats import (
    FbxTextures,
    MtlTextures,
    write_fbx,
    write_glb,
    write_glb_meshes,
    write_mtl,
    write_obj,
    write_stl,
    write_usdz,
)
from rodin_mcp.model.mesh import Material, Mesh
from rodin_mcp.model.render.preview import render_preview

__all__ = [
    "CONTENT_TYPES",
    "PREVIEW_NAME",
    "GeneratedFile",
    "ModelLevel",
    "encode_png",
    "level_materials",
    "model_files",
    "preview_file",
    "variants",
    "write_model",
]

PREVIEW_SIZE = 512
PREVIEW_NAME = "preview.webp"

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


def encode_png(pixels: NDArray[np.uint8]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=1)
    return out.getvalue()


@dataclass(frozen=True)
class ModelLevel:
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


@dataclass(frozen=True)
class _Textures:
    """PNG files of one model, by role."""

    diffuse: bytes
    normal: bytes
    metallic_roughness: bytes
    metallic: bytes
    roughness: bytes
    shaded: bytes


def _encode(model: ModelLevel) -> _Textures:
    maps = model.maps
    return _Textures(
        diffuse=encode_png(maps.base_color),
        normal=encode_png(maps.normal),
        metallic_roughness=encode_png(maps.metallic_roughness()),
        metallic=encode_png(maps.metallic),
        roughness=encode_png(maps.roughness),
        shaded=encode_png(model.shaded),
    )


def level_materials(textures: _Textures) -> dict[str, Material]:
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


def variants(material: str) -> list[str]:
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


def model_files(
    model: ModelLevel,
    level: str,
    fmt: str,
    variants: list[str],
    mesh_name: str,
    parts: Callable[[Mesh], list[Mesh]] | None = None,
) -> tuple[list[GeneratedFile], list[GeneratedFile], Mesh]:
    """The model files of one level, the loose textures they refer to, and the preview mesh.

    With ``parts``, each model file holds the meshes ``parts`` cuts the model into: one GLB
    with a node per part, or (other formats) one ``<stem>_part_NN.<fmt>`` file per part.
    """
    textures = _encode(model) if variants != ["none"] else None
    materials = level_materials(textures) if textures is not None else {}
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
        if parts is None:
            models.extend(write_model(mesh, fmt, stem, refs))
        else:
            models.extend(_write_parts(parts(mesh), fmt, stem, refs))
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


def _write_parts(
    meshes: list[Mesh], fmt: str, stem: str, refs: dict[str, str]
) -> list[GeneratedFile]:
    if fmt == "glb":
        return [GeneratedFile(f"{stem}.glb", write_glb_meshes(meshes), CONTENT_TYPES["glb"])]
    files: list[GeneratedFile] = []
    for number, mesh in enumerate(meshes, 1):
        files.extend(write_model(mesh, fmt, f"{stem}_part_{number:02d}", refs))
    return files


def write_model(mesh: Mesh, fmt: str, stem: str, refs: dict[str, str]) -> list[GeneratedFile]:
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


def preview_file(mesh: Mesh) -> GeneratedFile:
    """``preview.webp``: the mesh rendered at ``PREVIEW_SIZE`` px."""
    return GeneratedFile(PREVIEW_NAME, render_preview(mesh, PREVIEW_SIZE), CONTENT_TYPES["webp"])
