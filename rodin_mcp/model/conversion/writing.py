"""A converted mesh as the files of its format, in memory: ``{file name: bytes}``, the model first.

GLB, OBJ (with its ``.mtl`` and base-colour texture) and STL are written by trimesh, 3MF by
lib3mf (the 3MF Consortium's library, with the unit in the file), USDZ by OpenUSD
(:mod:`.usd_writing`). The mesh arrives with its coordinates in the file's unit and up axis.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.mesh import Mesh

__all__ = ["output_names", "written_files"]

_LIB3MF_UNITS = {"mm": "MilliMeter", "cm": "CentiMeter", "m": "Meter", "in": "Inch"}


def output_names(stem: str, fmt: str, textured: bool) -> list[str]:
    """The names a conversion writes for ``stem``, the model file first."""
    if fmt == "obj":
        return [f"{stem}.obj", f"{stem}.mtl", *([f"{stem}.png"] if textured else [])]
    return [f"{stem}.{fmt}"]


def written_files(
    mesh: Mesh, fmt: str, stem: str, *, unit: str, up_axis: str, metres_per_unit: float
) -> dict[str, bytes]:
    """The files of ``mesh`` in ``fmt``, named from ``stem`` (see :func:`output_names`).

    Raises:
        ConverterMissingError: the library that writes the format is not installed.
    """
    if fmt == "usdz":
        from rodin_mcp.model.conversion.usd_writing import usdz_bytes

        return {f"{stem}.usdz": usdz_bytes(mesh, up_axis=up_axis, metres_per_unit=metres_per_unit)}
    if fmt == "3mf":
        return {f"{stem}.3mf": _three_mf(mesh, stem, unit)}
    trimesh = optional_module("trimesh", f"{fmt.upper()} output")
    shape = _trimesh_of(trimesh, mesh, stem, textured=fmt != "stl")
    if fmt == "obj":
        text, extra = trimesh.exchange.obj.export_obj(
            shape,
            include_normals=True,
            include_texture=True,
            return_texture=True,
            mtl_name=f"{stem}.mtl",
            header=None,
        )
        files = {f"{stem}.obj": str(text).encode("utf-8")}
        extras = {str(name): bytes(data) for name, data in dict(extra).items()}
        # The material file first, then its texture (the order output_names gives).
        for name in sorted(extras, key=lambda n: not n.endswith(".mtl")):
            files[name] = extras[name]
        return files
    return {f"{stem}.{fmt}": bytes(shape.export(file_type=fmt))}


def _image(data: bytes | None) -> Image.Image | None:
    if data is None:
        return None
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _trimesh_of(trimesh: Any, mesh: Mesh, stem: str, *, textured: bool) -> Any:
    triangles = mesh.triangulated()
    material = mesh.material
    visual = None
    if textured and material is not None:
        pbr = trimesh.visual.material.PBRMaterial(
            name=stem,
            baseColorFactor=[round(c * 255) for c in material.base_color_factor],
            baseColorTexture=_image(material.base_color_png),
            normalTexture=_image(material.normal_png),
            metallicRoughnessTexture=_image(material.metallic_roughness_png),
            metallicFactor=material.metallic_factor,
            roughnessFactor=material.roughness_factor,
        )
        # trimesh keeps UVs as OBJ does (origin bottom-left) and flips them for glTF itself.
        uv = np.stack([mesh.uvs[:, 0], 1.0 - mesh.uvs[:, 1]], axis=1)
        visual = trimesh.visual.TextureVisuals(uv=uv, material=pbr)
    return trimesh.Trimesh(
        vertices=mesh.positions.astype(np.float64),
        faces=triangles.astype(np.int64),
        vertex_normals=mesh.normals.astype(np.float64),
        visual=visual,
        process=False,
        validate=False,
    )


def _three_mf(mesh: Mesh, stem: str, unit: str) -> bytes:
    lib3mf = optional_module("lib3mf", "3MF output")
    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    model.SetUnit(getattr(lib3mf.ModelUnit, _LIB3MF_UNITS[unit]))
    triangles = mesh.triangulated()
    keep = (
        (triangles[:, 0] != triangles[:, 1])
        & (triangles[:, 1] != triangles[:, 2])
        & (triangles[:, 2] != triangles[:, 0])
    )
    positions = np.ascontiguousarray(mesh.positions, dtype=np.float32)
    faces = np.ascontiguousarray(triangles[keep], dtype=np.uint32)
    shape = model.AddMeshObject()
    shape.SetName(stem[:64])
    shape.SetGeometry(
        (lib3mf.Position * len(positions)).from_buffer(positions),
        (lib3mf.Triangle * len(faces)).from_buffer(faces),
    )
    model.AddBuildItem(shape, wrapper.GetIdentityTransform())
    with tempfile.TemporaryDirectory(prefix="rodin-3mf-") as folder:
        path = Path(folder) / "model.3mf"
        model.QueryWriter("3mf").WriteToFile(str(path))
        return path.read_bytes()
