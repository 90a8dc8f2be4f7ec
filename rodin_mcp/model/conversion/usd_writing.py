"""USDZ written with OpenUSD (usd-core), the way AR Quick Look reads it.

One stage, in a temporary folder: ``upAxis`` and ``metersPerUnit`` set, a default prim (an
``Xform`` named after the model) holding the ``Mesh`` (points, face counts and indices, vertex
normals, and ``primvars:st`` with V flipped: USD's texture origin is the bottom-left corner) and
a ``UsdPreviewSurface`` material: base colour, normal map (scaled to -1..1) and metallic and
roughness read from glTF's packed texture (blue and green). The stage is saved as ``.usdc`` and
packed with its textures by OpenUSD's own ``Sdf.ZipFileWriter``, as ARKit asks: the ``usdc``
root layer first, every file stored uncompressed and 64-byte aligned, nothing outside it.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.mesh import Mesh

__all__ = ["usdz_bytes"]

_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def _prim_name(text: str) -> str:
    name = _IDENTIFIER.sub("_", text)[:48] or "model"
    return name if not name[0].isdigit() else f"_{name}"


def usdz_bytes(mesh: Mesh, *, up_axis: str, metres_per_unit: float) -> bytes:
    """The USDZ package of ``mesh`` (coordinates already in the file's unit and up axis).

    Raises:
        ConverterMissingError: usd-core is not installed.
        OSError: the temporary folder cannot be written.
    """
    pxr = optional_module("pxr", "USDZ output")
    for name in ("Usd", "UsdGeom", "UsdShade", "Sdf", "Gf", "Vt", "Kind"):
        optional_module(f"pxr.{name}", "USDZ output")
    with tempfile.TemporaryDirectory(prefix="rodin-usdz-") as folder:
        root = Path(folder)
        layer = root / "model.usdc"
        textures = _write_textures(mesh, root)
        _author_stage(pxr, layer, mesh, up_axis, metres_per_unit, textures)
        package = root / "model.usdz"
        writer = pxr.Sdf.ZipFileWriter.CreateNew(str(package))
        writer.AddFile(str(layer), layer.name)
        for relative in textures.values():
            writer.AddFile(str(root / relative), relative)
        writer.Save()
        return package.read_bytes()


def _write_textures(mesh: Mesh, root: Path) -> dict[str, str]:
    """The material's textures as files beside the layer; role -> relative path."""
    written: dict[str, str] = {}
    material = mesh.material
    if material is None:
        return written
    for role, data in (
        ("base", material.base_color_png),
        ("normal", material.normal_png),
        ("orm", material.metallic_roughness_png),
    ):
        if data is None:
            continue
        suffix = ".jpg" if data[:3] == b"\xff\xd8\xff" else ".png"
        relative = f"{role}{suffix}"
        (root / relative).write_bytes(data)
        written[role] = relative
    return written


def _author_stage(
    pxr: Any,
    layer: Path,
    mesh: Mesh,
    up_axis: str,
    metres_per_unit: float,
    textures: dict[str, str],
) -> None:
    usd, geom, shade, sdf, gf, vt = pxr.Usd, pxr.UsdGeom, pxr.UsdShade, pxr.Sdf, pxr.Gf, pxr.Vt
    stage = usd.Stage.CreateNew(str(layer))
    geom.SetStageUpAxis(stage, geom.Tokens.z if up_axis == "z" else geom.Tokens.y)
    geom.SetStageMetersPerUnit(stage, metres_per_unit)
    root_path = sdf.Path(f"/{_prim_name(mesh.name)}")
    root = geom.Xform.Define(stage, root_path)
    stage.SetDefaultPrim(root.GetPrim())
    usd.ModelAPI(root.GetPrim()).SetKind(pxr.Kind.Tokens.component)
    triangles = mesh.triangulated()
    prim = geom.Mesh.Define(stage, root_path.AppendChild("geometry"))
    prim.CreatePointsAttr(vt.Vec3fArray.FromNumpy(np.ascontiguousarray(mesh.positions)))
    prim.CreateFaceVertexCountsAttr(vt.IntArray.FromNumpy(np.full(len(triangles), 3, np.int32)))
    prim.CreateFaceVertexIndicesAttr(
        vt.IntArray.FromNumpy(np.ascontiguousarray(triangles.reshape(-1).astype(np.int32)))
    )
    prim.CreateNormalsAttr(vt.Vec3fArray.FromNumpy(np.ascontiguousarray(mesh.normals)))
    prim.SetNormalsInterpolation(geom.Tokens.vertex)
    prim.CreateSubdivisionSchemeAttr(geom.Tokens.none)
    prim.CreateDoubleSidedAttr(False)
    low, high = mesh.bounds()
    prim.CreateExtentAttr(vt.Vec3fArray([gf.Vec3f(*map(float, low)), gf.Vec3f(*map(float, high))]))
    st = np.stack([mesh.uvs[:, 0], 1.0 - mesh.uvs[:, 1]], axis=1).astype(np.float32)
    primvar = geom.PrimvarsAPI(prim).CreatePrimvar(
        "st", sdf.ValueTypeNames.TexCoord2fArray, geom.Tokens.vertex
    )
    primvar.Set(vt.Vec2fArray.FromNumpy(np.ascontiguousarray(st)))
    material = _author_material(pxr, stage, root_path, mesh, textures)
    shade.MaterialBindingAPI.Apply(prim.GetPrim()).Bind(material)
    stage.GetRootLayer().Save()


def _author_material(
    pxr: Any, stage: Any, root_path: Any, mesh: Mesh, textures: dict[str, str]
) -> Any:
    shade, sdf, gf = pxr.UsdShade, pxr.Sdf, pxr.Gf
    source = mesh.material
    looks = root_path.AppendChild("materials")
    material = shade.Material.Define(
        stage, looks.AppendChild(_prim_name(source.name if source else "material"))
    )
    surface = shade.Shader.Define(stage, material.GetPath().AppendChild("surface"))
    surface.CreateIdAttr("UsdPreviewSurface")
    factor = source.base_color_factor if source else (0.8, 0.8, 0.8, 1.0)
    metallic = source.metallic_factor if source else 0.0
    roughness = source.roughness_factor if source else 0.8
    material.CreateSurfaceOutput().ConnectToSource(surface.ConnectableAPI(), "surface")
    surface.CreateInput("useSpecularWorkflow", sdf.ValueTypeNames.Int).Set(0)
    if not textures:
        surface.CreateInput("diffuseColor", sdf.ValueTypeNames.Color3f).Set(gf.Vec3f(*factor[:3]))
        surface.CreateInput("metallic", sdf.ValueTypeNames.Float).Set(float(metallic))
        surface.CreateInput("roughness", sdf.ValueTypeNames.Float).Set(float(roughness))
        return material
    reader = shade.Shader.Define(stage, material.GetPath().AppendChild("uv"))
    reader.CreateIdAttr("UsdPrimvarReader_float2")
    reader.CreateInput("varname", sdf.ValueTypeNames.String).Set("st")
    uv = reader.CreateOutput("result", sdf.ValueTypeNames.Float2)

    def texture(
        role: str, colour_space: str, scale: tuple[float, ...], bias: tuple[float, ...]
    ) -> Any:
        node = shade.Shader.Define(stage, material.GetPath().AppendChild(f"{role}_texture"))
        node.CreateIdAttr("UsdUVTexture")
        node.CreateInput("file", sdf.ValueTypeNames.Asset).Set(textures[role])
        node.CreateInput("st", sdf.ValueTypeNames.Float2).ConnectToSource(uv)
        node.CreateInput("sourceColorSpace", sdf.ValueTypeNames.Token).Set(colour_space)
        node.CreateInput("wrapS", sdf.ValueTypeNames.Token).Set("repeat")
        node.CreateInput("wrapT", sdf.ValueTypeNames.Token).Set("repeat")
        node.CreateInput("scale", sdf.ValueTypeNames.Float4).Set(gf.Vec4f(*scale))
        node.CreateInput("bias", sdf.ValueTypeNames.Float4).Set(gf.Vec4f(*bias))
        return node

    if "base" in textures:
        base = texture("base", "sRGB", (*factor[:3], 1.0), (0.0, 0.0, 0.0, 0.0))
        surface.CreateInput("diffuseColor", sdf.ValueTypeNames.Color3f).ConnectToSource(
            base.CreateOutput("rgb", sdf.ValueTypeNames.Float3)
        )
    else:
        surface.CreateInput("diffuseColor", sdf.ValueTypeNames.Color3f).Set(gf.Vec3f(*factor[:3]))
    if "normal" in textures:
        normal = texture("normal", "raw", (2.0, 2.0, 2.0, 1.0), (-1.0, -1.0, -1.0, 0.0))
        surface.CreateInput("normal", sdf.ValueTypeNames.Normal3f).ConnectToSource(
            normal.CreateOutput("rgb", sdf.ValueTypeNames.Float3)
        )
    if "orm" in textures:
        packed = texture(
            "orm", "raw", (1.0, float(roughness), float(metallic), 1.0), (0.0, 0.0, 0.0, 0.0)
        )
        surface.CreateInput("roughness", sdf.ValueTypeNames.Float).ConnectToSource(
            packed.CreateOutput("g", sdf.ValueTypeNames.Float)
        )
        surface.CreateInput("metallic", sdf.ValueTypeNames.Float).ConnectToSource(
            packed.CreateOutput("b", sdf.ValueTypeNames.Float)
        )
    else:
        surface.CreateInput("metallic", sdf.ValueTypeNames.Float).Set(float(metallic))
        surface.CreateInput("roughness", sdf.ValueTypeNames.Float).Set(float(roughness))
    return material
