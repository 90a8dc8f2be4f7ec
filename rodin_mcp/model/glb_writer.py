"""GLB writer for the model room: one mesh, one node, one scene, textures embedded as they are.

The emulator has its own writer for the files it serves; this one writes what the product
makes from downloaded models (the viewer copy), so it takes textures in either format glTF
allows, PNG or JPEG, told apart by their first bytes. No extension is used except
``KHR_materials_unlit`` for an unlit material.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.mesh import Material, Mesh, vertex_tangents

__all__ = ["GENERATOR", "image_media_type", "write_glb"]

GENERATOR = "rodin-mcp"

_MAGIC = 0x46546C67
_CHUNK_JSON = 0x4E4F534A
_CHUNK_BIN = 0x004E4942
_FLOAT = 5126
_UNSIGNED_SHORT = 5123
_UNSIGNED_INT = 5125
_ARRAY_BUFFER = 34962
_ELEMENT_ARRAY_BUFFER = 34963
_SAMPLER = {"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}


def image_media_type(data: bytes) -> str:
    """``image/png`` or ``image/jpeg`` from an image's signature.

    Raises:
        ValueError: The bytes are neither (glTF allows no other embedded image format).
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise ValueError("a glTF texture must be PNG or JPEG")


class _Binary:
    """The binary chunk: buffer views, each starting on a 4-byte boundary."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.views: list[dict[str, Any]] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self.length, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        padding = (-len(data)) % 4
        self.parts += [data, b"\x00" * padding]
        self.length += len(data) + padding
        self.views.append(view)
        return len(self.views) - 1


def _material(material: Material, binary: _Binary, gltf: dict[str, Any]) -> dict[str, Any]:
    def texture(data: bytes) -> dict[str, int]:
        view = binary.add(data)
        gltf["images"].append({"bufferView": view, "mimeType": image_media_type(data)})
        gltf["textures"].append({"sampler": 0, "source": len(gltf["images"]) - 1})
        return {"index": len(gltf["textures"]) - 1}

    pbr: dict[str, Any] = {
        "baseColorFactor": list(material.base_color_factor),
        "metallicFactor": material.metallic_factor,
        "roughnessFactor": material.roughness_factor,
    }
    out: dict[str, Any] = {"name": material.name, "pbrMetallicRoughness": pbr}
    if material.base_color_png is not None:
        pbr["baseColorTexture"] = texture(material.base_color_png)
    if material.unlit:
        out["extensions"] = {"KHR_materials_unlit": {}}
        gltf["extensionsUsed"] = ["KHR_materials_unlit"]
        return out
    if material.metallic_roughness_png is not None:
        pbr["metallicRoughnessTexture"] = texture(material.metallic_roughness_png)
    if material.normal_png is not None:
        out["normalTexture"] = texture(material.normal_png)
    return out


def _attribute(binary: _Binary, values: NDArray[np.float32], kind: str) -> dict[str, Any]:
    view = binary.add(np.ascontiguousarray(values, dtype=np.float32).tobytes(), _ARRAY_BUFFER)
    return {"bufferView": view, "componentType": _FLOAT, "count": len(values), "type": kind}


def write_glb(mesh: Mesh) -> bytes:
    """Serialise a mesh as a self-contained GLB (identical bytes for identical input).

    Positions, normals, UVs (and tangents when there is a normal map) are float32 attributes,
    indices uint16 when they fit and uint32 otherwise; quads are split into triangles. An unlit
    material keeps only its base colour.

    Raises:
        ValueError: The mesh has no faces (glTF accessors cannot be empty), or a texture is
            neither PNG nor JPEG.
    """
    if mesh.vertex_count == 0 or mesh.face_count == 0:
        raise ValueError("a GLB needs at least one face")
    binary = _Binary()
    low, high = mesh.bounds()
    position = _attribute(binary, mesh.positions, "VEC3")
    position["min"] = [float(v) for v in low]  # float() of a float32 is exact
    position["max"] = [float(v) for v in high]
    accessors = [
        position,
        _attribute(binary, mesh.normals, "VEC3"),
        _attribute(binary, mesh.uvs, "VEC2"),
    ]
    attributes = {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2}
    material = mesh.material
    if material is not None and material.normal_png is not None and not material.unlit:
        accessors.append(_attribute(binary, vertex_tangents(mesh), "VEC4"))
        attributes["TANGENT"] = 3
    small = mesh.vertex_count <= 65535
    triangles = mesh.triangulated().astype(np.uint16 if small else np.uint32)
    index_view = binary.add(triangles.tobytes(), _ELEMENT_ARRAY_BUFFER)
    accessors.append(
        {
            "bufferView": index_view,
            "componentType": _UNSIGNED_SHORT if small else _UNSIGNED_INT,
            "count": int(triangles.size),
            "type": "SCALAR",
        }
    )
    primitive: dict[str, Any] = {"attributes": attributes, "indices": len(accessors) - 1}
    gltf: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": GENERATOR},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": mesh.name, "mesh": 0}],
        "meshes": [{"name": mesh.name, "primitives": [primitive]}],
        "accessors": accessors,
        "images": [],
        "textures": [],
    }
    if material is not None:
        gltf["materials"] = [_material(material, binary, gltf)]
        primitive["material"] = 0
    if gltf["textures"]:
        gltf["samplers"] = [_SAMPLER]
    else:
        del gltf["images"], gltf["textures"]
    payload = b"".join(binary.parts)
    gltf["bufferViews"] = binary.views
    gltf["buffers"] = [{"byteLength": len(payload)}]
    return _container(json.dumps(gltf, separators=(",", ":")).encode("utf-8"), payload)


def _container(document: bytes, payload: bytes) -> bytes:
    document += b" " * ((-len(document)) % 4)
    total = 12 + 8 + len(document) + 8 + len(payload)
    return b"".join(
        [
            struct.pack("<III", _MAGIC, 2, total),
            struct.pack("<II", len(document), _CHUNK_JSON),
            document,
            struct.pack("<II", len(payload), _CHUNK_BIN),
            payload,
        ]
    )
