"""FBX 7.4 ASCII writer: one mesh model with normals, UVs and a textured Phong material.

The file has the header comment ``; FBX 7.4.0 project file``, an ``FBXHeaderExtension`` (with a
fixed creation time, so output is deterministic), ``GlobalSettings`` (Y up, centimetre unit
scale 100 for metre data), ``Definitions``, ``Objects`` (a ``Geometry`` with ``Vertices``,
``PolygonVertexIndex`` - the last index of each polygon stored as ``-(i + 1)`` - and per-vertex
``LayerElementNormal`` and ``LayerElementUV``; a ``Model``; a ``Material``; one ``Texture`` and
``Video`` per referenced map) and the ``Connections`` between them. Textures are referenced by
relative file name, to sit next to the ``.fbx``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rodin_mcp.emulator.formats.text_arrays import format_rows
from rodin_mcp.model.mesh import Mesh

__all__ = ["FbxTextures", "write_fbx"]

_GEOMETRY_ID = 1000001
_MODEL_ID = 1000002
_MATERIAL_ID = 1000003


@dataclass(frozen=True)
class FbxTextures:
    """Texture file names (relative to the ``.fbx``) and the material property each feeds."""

    diffuse: str | None = None
    normal: str | None = None
    metallic: str | None = None
    roughness: str | None = None

    def bindings(self) -> list[tuple[str, str, str]]:
        """``(short name, file, material property)`` for each texture present."""
        table = [
            ("diffuse", self.diffuse, "DiffuseColor"),
            ("normal", self.normal, "NormalMap"),
            ("metallic", self.metallic, "ReflectionFactor"),
            ("roughness", self.roughness, "ShininessExponent"),
        ]
        return [(name, file, prop) for name, file, prop in table if file]


def _array(name: str, values: str, count: int, indent: str) -> str:
    return f"{indent}{name}: *{count} {{\n{indent}\ta: {values}\n{indent}}}\n"


def _floats(values: np.ndarray[tuple[int, ...], np.dtype[np.float64]]) -> str:
    return format_rows("%.6f,", values.reshape(-1, 1)).rstrip(",")


def _ints(values: np.ndarray[tuple[int, ...], np.dtype[np.int64]]) -> str:
    return format_rows("%d,", values.reshape(-1, 1)).rstrip(",")


def _header() -> str:
    return """; FBX 7.4.0 project file
; Created by the rodin-mcp emulator
; ----------------------------------------------------

FBXHeaderExtension:  {
\tFBXHeaderVersion: 1003
\tFBXVersion: 7400
\tCreationTimeStamp:  {
\t\tVersion: 1000
\t\tYear: 1980
\t\tMonth: 1
\t\tDay: 1
\t\tHour: 0
\t\tMinute: 0
\t\tSecond: 0
\t\tMillisecond: 0
\t}
\tCreator: "rodin-mcp emulator"
}
GlobalSettings:  {
\tVersion: 1000
\tProperties70:  {
\t\tP: "UpAxis", "int", "Integer", "",1
\t\tP: "UpAxisSign", "int", "Integer", "",1
\t\tP: "FrontAxis", "int", "Integer", "",2
\t\tP: "FrontAxisSign", "int", "Integer", "",1
\t\tP: "CoordAxis", "int", "Integer", "",0
\t\tP: "CoordAxisSign", "int", "Integer", "",1
\t\tP: "OriginalUpAxis", "int", "Integer", "",1
\t\tP: "OriginalUpAxisSign", "int", "Integer", "",1
\t\tP: "UnitScaleFactor", "double", "Number", "",100
\t\tP: "OriginalUnitScaleFactor", "double", "Number", "",100
\t}
}
"""


def _definitions(texture_count: int, has_material: bool) -> str:
    types = [("GlobalSettings", 1), ("Model", 1), ("Geometry", 1)]
    if has_material:
        types.append(("Material", 1))
    if texture_count:
        types += [("Texture", texture_count), ("Video", texture_count)]
    body = "".join(
        f'\tObjectType: "{name}" {{\n\t\tCount: {count}\n\t}}\n' for name, count in types
    )
    total = sum(count for _, count in types)
    return f"Definitions:  {{\n\tVersion: 100\n\tCount: {total}\n{body}}}\n"


def _layer_ref(kind: str) -> str:
    return f'\t\t\tLayerElement:  {{\n\t\t\t\tType: "{kind}"\n\t\t\t\tTypedIndex: 0\n\t\t\t}}\n'


def _geometry(mesh: Mesh, has_material: bool) -> str:
    polygons = np.concatenate(
        [mesh.quads.astype(np.int64).reshape(-1), mesh.triangles.astype(np.int64).reshape(-1)]
    )
    sizes = np.concatenate([np.full(len(mesh.quads), 4), np.full(len(mesh.triangles), 3)]).astype(
        np.int64
    )
    last = np.cumsum(sizes) - 1
    polygons[last] = -polygons[last] - 1
    uv = mesh.uvs.astype(np.float64) * np.array([1.0, -1.0]) + np.array([0.0, 1.0])
    n = mesh.vertex_count
    material_layer = (
        "\t\tLayerElementMaterial: 0 {\n"
        "\t\t\tVersion: 101\n"
        '\t\t\tName: ""\n'
        '\t\t\tMappingInformationType: "AllSame"\n'
        '\t\t\tReferenceInformationType: "IndexToDirect"\n'
        "\t\t\tMaterials: *1 {\n\t\t\t\ta: 0\n\t\t\t}\n"
        "\t\t}\n"
        if has_material
        else ""
    )
    material_ref = _layer_ref("LayerElementMaterial") if has_material else ""
    return (
        f'\tGeometry: {_GEOMETRY_ID}, "Geometry::{mesh.name}", "Mesh" {{\n'
        + _array("Vertices", _floats(mesh.positions.astype(np.float64)), 3 * n, "\t\t")
        + _array("PolygonVertexIndex", _ints(polygons), len(polygons), "\t\t")
        + "\t\tGeometryVersion: 124\n"
        "\t\tLayerElementNormal: 0 {\n"
        "\t\t\tVersion: 101\n"
        '\t\t\tName: ""\n'
        '\t\t\tMappingInformationType: "ByVertice"\n'
        '\t\t\tReferenceInformationType: "Direct"\n'
        + _array("Normals", _floats(mesh.normals.astype(np.float64)), 3 * n, "\t\t\t")
        + "\t\t}\n"
        "\t\tLayerElementUV: 0 {\n"
        "\t\t\tVersion: 101\n"
        '\t\t\tName: "UVMap"\n'
        '\t\t\tMappingInformationType: "ByVertice"\n'
        '\t\t\tReferenceInformationType: "Direct"\n'
        + _array("UV", _floats(uv), 2 * n, "\t\t\t")
        + "\t\t}\n"
        + material_layer
        + "\t\tLayer: 0 {\n"
        "\t\t\tVersion: 100\n"
        + _layer_ref("LayerElementNormal")
        + material_ref
        + _layer_ref("LayerElementUV")
        + "\t\t}\n"
        "\t}\n"
    )


def _model(mesh: Mesh) -> str:
    return (
        f'\tModel: {_MODEL_ID}, "Model::{mesh.name}", "Mesh" {{\n'
        "\t\tVersion: 232\n"
        "\t\tProperties70:  {\n"
        '\t\t\tP: "Lcl Translation", "Lcl Translation", "", "A",0,0,0\n'
        '\t\t\tP: "Lcl Rotation", "Lcl Rotation", "", "A",0,0,0\n'
        '\t\t\tP: "Lcl Scaling", "Lcl Scaling", "", "A",1,1,1\n'
        "\t\t}\n"
        "\t\tShading: T\n"
        '\t\tCulling: "CullingOff"\n'
        "\t}\n"
    )


def _material(mesh: Mesh) -> str:
    material = mesh.material
    assert material is not None
    r, g, b = material.base_color_factor[:3]
    shininess = (1.0 - material.roughness_factor) * 100.0
    return (
        f'\tMaterial: {_MATERIAL_ID}, "Material::{material.name}", "" {{\n'
        "\t\tVersion: 102\n"
        '\t\tShadingModel: "phong"\n'
        "\t\tMultiLayer: 0\n"
        "\t\tProperties70:  {\n"
        f'\t\t\tP: "DiffuseColor", "Color", "", "A",{r:.6f},{g:.6f},{b:.6f}\n'
        '\t\t\tP: "DiffuseFactor", "Number", "", "A",1\n'
        f'\t\t\tP: "ReflectionFactor", "Number", "", "A",{material.metallic_factor:.6f}\n'
        f'\t\t\tP: "Shininess", "double", "Number", "",{shininess:.6f}\n'
        "\t\t}\n"
        "\t}\n"
    )


def _texture(index: int, name: str, file: str) -> str:
    texture_id, video_id = 2000000 + index, 3000000 + index
    return (
        f'\tTexture: {texture_id}, "Texture::{name}", "" {{\n'
        '\t\tType: "TextureVideoClip"\n'
        "\t\tVersion: 202\n"
        f'\t\tTextureName: "Texture::{name}"\n'
        f'\t\tMedia: "Video::{name}"\n'
        f'\t\tFileName: "{file}"\n'
        f'\t\tRelativeFilename: "{file}"\n'
        "\t\tModelUVTranslation: 0,0\n"
        "\t\tModelUVScaling: 1,1\n"
        '\t\tTexture_Alpha_Source: "None"\n'
        "\t\tCropping: 0,0,0,0\n"
        "\t}\n"
        f'\tVideo: {video_id}, "Video::{name}", "Clip" {{\n'
        '\t\tType: "Clip"\n'
        f'\t\tFileName: "{file}"\n'
        f'\t\tRelativeFilename: "{file}"\n'
        "\t}\n"
    )


def write_fbx(mesh: Mesh, textures: FbxTextures | None = None) -> bytes:
    """Serialise a mesh as an FBX 7.4 ASCII file.

    Args:
        mesh: The mesh (quads kept as 4-gons). UV V is flipped to FBX's bottom-left origin.
        textures: Texture files to reference from the material; ignored without a material.

    Returns:
        The FBX text as UTF-8 bytes (deterministic).
    """
    has_material = mesh.material is not None
    bindings = (textures or FbxTextures()).bindings() if has_material else []
    objects = _geometry(mesh, has_material) + _model(mesh)
    connections = [
        f'\t;Model::{mesh.name}, Model::RootNode\n\tC: "OO",{_MODEL_ID},0\n',
        f'\t;Geometry::{mesh.name}, Model::{mesh.name}\n\tC: "OO",{_GEOMETRY_ID},{_MODEL_ID}\n',
    ]
    if has_material:
        objects += _material(mesh)
        connections.append(f'\tC: "OO",{_MATERIAL_ID},{_MODEL_ID}\n')
    for index, (name, file, prop) in enumerate(bindings):
        objects += _texture(index, name, file)
        connections.append(f'\tC: "OP",{2000000 + index},{_MATERIAL_ID}, "{prop}"\n')
        connections.append(f'\tC: "OO",{3000000 + index},{2000000 + index}\n')
    text = (
        _header()
        + _definitions(len(bindings), has_material)
        + "Objects:  {\n"
        + objects
        + "}\n"
        + "Connections:  {\n"
        + "".join(connections)
        + "}\n"
    )
    return text.encode("utf-8")
