"""glTF 2.0 binary (GLB) writer: one scene of one or more meshes, textures embedded as PNG."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.mesh import Material, Mesh, vertex_tangents

__all__ = ["GENERATOR", "write_glb", "write_glb_meshes"]

GENERATOR = "rodin-mcp emulator"

GLB_MAGIC = 0x46546C67  # "glTF"
CHUNK_JSON = 0x4E4F534A  # "JSON"
CHUNK_BIN = 0x004E4942  # "BIN\0"

FLOAT = 5126
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
LINEAR = 9729
LINEAR_MIPMAP_LINEAR = 9987
REPEAT = 10497


class _BinaryBuilder:
    """Collects buffer views in one 4-byte-aligned binary chunk."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.views: list[dict[str, Any]] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self.length, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.parts.append(data)
        self.length += len(data)
        padding = (-self.length) % 4
        if padding:
            self.parts.append(b"\x00" * padding)
            self.length += padding
        self.views.append(view)
        return len(self.views) - 1

    def payload(self) -> bytes:
        return b"".join(self.parts)


def _float_list(values: NDArray[np.float32]) -> list[float]:
    # float() of a float32 is exact, so the JSON number reads back as the same float32.
    return [float(v) for v in values]


def _material_json(
    material: Material, binary: _BinaryBuilder, doc: dict[str, list[Any]]
) -> dict[str, Any]:
    def texture(png: bytes) -> int:
        view = binary.add(png)
        doc["images"].append({"bufferView": view, "mimeType": "image/png"})
        doc["textures"].append({"sampler": 0, "source": len(doc["images"]) - 1})
        return len(doc["textures"]) - 1

    pbr: dict[str, Any] = {
        "baseColorFactor": list(material.base_color_factor),
        "metallicFactor": material.metallic_factor,
        "roughnessFactor": material.roughness_factor,
    }
    out: dict[str, Any] = {"name": material.name, "pbrMetallicRoughness": pbr}
    if material.base_color_png is not None:
        pbr["baseColorTexture"] = {"index": texture(material.base_color_png)}
    if material.unlit:
        out["extensions"] = {"KHR_materials_unlit": {}}
        return out
    if material.metallic_roughness_png is not None:
        pbr["metallicRoughnessTexture"] = {"index": texture(material.metallic_roughness_png)}
    if material.normal_png is not None:
        out["normalTexture"] = {"index": texture(material.normal_png)}
    return out


def write_glb(mesh: Mesh) -> bytes:
    """Serialise a mesh as a self-contained GLB.

    Positions, normals and UVs are float32 vertex attributes (POSITION carries exact min/max),
    indices are uint16 when they fit and uint32 otherwise, and every texture is a PNG buffer
    view. A material marked ``unlit`` uses ``KHR_materials_unlit``.

    Args:
        mesh: The mesh to write; quads are split into triangles.

    Returns:
        The GLB bytes, identical for identical input.

    Raises:
        ValueError: The mesh has no faces (glTF accessors cannot be empty).
    """
    return write_glb_meshes([mesh])


def write_glb_meshes(meshes: Sequence[Mesh]) -> bytes:
    """Serialise several meshes as one GLB: one node and one glTF mesh per :class:`Mesh`.

    The nodes are the scene's roots, in order, each named after its mesh. Meshes that share one
    :class:`Material` object share one glTF material (and its textures). One mesh gives exactly
    the bytes of :func:`write_glb`.

    Raises:
        ValueError: No meshes, or a mesh has no faces (glTF accessors cannot be empty).
    """
    if not meshes:
        raise ValueError("a GLB needs at least one mesh")
    if any(mesh.vertex_count == 0 or mesh.face_count == 0 for mesh in meshes):
        raise ValueError("a GLB needs at least one face")
    binary = _BinaryBuilder()
    accessors: list[dict[str, Any]] = []
    primitives = [_add_geometry(mesh, binary, accessors) for mesh in meshes]
    gltf: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": GENERATOR},
        "scene": 0,
        "scenes": [{"name": "Scene", "nodes": list(range(len(meshes)))}],
        "nodes": [{"name": mesh.name, "mesh": i} for i, mesh in enumerate(meshes)],
        "meshes": [
            {"name": mesh.name, "primitives": [primitive]}
            for mesh, primitive in zip(meshes, primitives, strict=True)
        ],
        "accessors": accessors,
    }
    _add_materials(meshes, primitives, binary, gltf)
    payload = binary.payload()
    gltf["bufferViews"] = binary.views
    gltf["buffers"] = [{"byteLength": len(payload)}]

    json_bytes = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
    json_bytes += b" " * ((-len(json_bytes)) % 4)
    total = 12 + 8 + len(json_bytes) + 8 + len(payload)
    return b"".join(
        [
            struct.pack("<III", GLB_MAGIC, 2, total),
            struct.pack("<II", len(json_bytes), CHUNK_JSON),
            json_bytes,
            struct.pack("<II", len(payload), CHUNK_BIN),
            payload,
        ]
    )


def _add_geometry(
    mesh: Mesh, binary: _BinaryBuilder, accessors: list[dict[str, Any]]
) -> dict[str, Any]:
    """Add one mesh's vertex and index data; returns its primitive (without a material)."""
    n = mesh.vertex_count
    low, high = mesh.bounds()
    first = len(accessors)
    pos_view = binary.add(np.ascontiguousarray(mesh.positions).tobytes(), ARRAY_BUFFER)
    nrm_view = binary.add(np.ascontiguousarray(mesh.normals).tobytes(), ARRAY_BUFFER)
    uv_view = binary.add(np.ascontiguousarray(mesh.uvs).tobytes(), ARRAY_BUFFER)
    needs_tangents = (
        mesh.material is not None
        and mesh.material.normal_png is not None
        and not mesh.material.unlit
    )
    tan_view = binary.add(vertex_tangents(mesh).tobytes(), ARRAY_BUFFER) if needs_tangents else None
    triangles = mesh.triangulated()
    index_type = UNSIGNED_SHORT if n <= 65535 else UNSIGNED_INT
    index_dtype = np.uint16 if index_type == UNSIGNED_SHORT else np.uint32
    idx_view = binary.add(triangles.astype(index_dtype).tobytes(), ELEMENT_ARRAY_BUFFER)

    accessors.extend(
        [
            {
                "bufferView": pos_view,
                "componentType": FLOAT,
                "count": n,
                "type": "VEC3",
                "min": _float_list(low),
                "max": _float_list(high),
            },
            {"bufferView": nrm_view, "componentType": FLOAT, "count": n, "type": "VEC3"},
            {"bufferView": uv_view, "componentType": FLOAT, "count": n, "type": "VEC2"},
            {
                "bufferView": idx_view,
                "componentType": index_type,
                "count": int(triangles.size),
                "type": "SCALAR",
            },
        ]
    )
    attributes: dict[str, int] = {"POSITION": first, "NORMAL": first + 1, "TEXCOORD_0": first + 2}
    if tan_view is not None:
        accessors.append(
            {"bufferView": tan_view, "componentType": FLOAT, "count": n, "type": "VEC4"}
        )
        attributes["TANGENT"] = len(accessors) - 1
    return {"attributes": attributes, "indices": first + 3, "mode": 4}


def _add_materials(
    meshes: Sequence[Mesh],
    primitives: Sequence[dict[str, Any]],
    binary: _BinaryBuilder,
    gltf: dict[str, Any],
) -> None:
    """Write each distinct material once (after all geometry) and point the primitives at it."""
    doc: dict[str, list[Any]] = {"images": [], "textures": [], "samplers": []}
    materials: list[dict[str, Any]] = []
    seen: list[Material] = []
    for mesh, primitive in zip(meshes, primitives, strict=True):
        if mesh.material is None:
            continue
        index = next((i for i, m in enumerate(seen) if m is mesh.material), None)
        if index is None:
            materials.append(_material_json(mesh.material, binary, doc))
            seen.append(mesh.material)
            index = len(seen) - 1
        primitive["material"] = index
    if not materials:
        return
    gltf["materials"] = materials
    if any(m.unlit for m in seen):
        gltf["extensionsUsed"] = ["KHR_materials_unlit"]
    if doc["textures"]:
        gltf["samplers"] = [
            {
                "magFilter": LINEAR,
                "minFilter": LINEAR_MIPMAP_LINEAR,
                "wrapS": REPEAT,
                "wrapT": REPEAT,
            }
        ]
        gltf["images"] = doc["images"]
        gltf["textures"] = doc["textures"]
