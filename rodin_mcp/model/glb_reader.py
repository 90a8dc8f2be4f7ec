"""GLB reader: the triangles of a glTF 2.0 binary's default scene as one :class:`Mesh`.

Built for inspecting downloaded models, so it reads untrusted bytes defensively: every offset
and length is checked against the data, and anything it cannot read raises
:class:`GLBReadError` with a message that is safe to show. It flattens the scene: node
transforms are applied, every triangle primitive (modes 4, 5 and 6) is merged, and the first
material found is kept with its textures. Points, lines, sparse accessors, external buffers and
external images are not supported (external images are dropped, the rest raise).
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.mesh import Material, Mesh, unit_or_up, vertex_normals

__all__ = ["GLBReadError", "read_glb"]

_MAGIC = 0x46546C67
_CHUNK_JSON = 0x4E4F534A
_CHUNK_BIN = 0x004E4942
_MAX_NODE_DEPTH = 64

_COMPONENT_DTYPES: dict[int, np.dtype[Any]] = {
    5120: np.dtype("<i1"),
    5121: np.dtype("<u1"),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
_TYPE_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_NORMALIZED_SCALE = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}


class GLBReadError(ValueError):
    """The bytes are not a GLB this reader can turn into a mesh."""


JsonObject = dict[str, Any]


def _obj(value: Any, what: str) -> JsonObject:
    if not isinstance(value, dict):
        raise GLBReadError(f"glTF {what} is not an object")
    return cast(JsonObject, value)


def _list(doc: JsonObject, key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise GLBReadError(f"glTF '{key}' is not an array")
    return cast(list[Any], value)


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GLBReadError(f"glTF {what} is not a valid integer")
    return value


def _item(doc: JsonObject, key: str, index: Any) -> JsonObject:
    items = _list(doc, key)
    i = _int(index, f"{key} index")
    if i >= len(items):
        raise GLBReadError(f"glTF refers to {key}[{i}], which does not exist")
    return _obj(items[i], f"{key}[{i}]")


@dataclass(frozen=True)
class _Chunks:
    doc: JsonObject
    binary: bytes


def _split_chunks(data: bytes) -> _Chunks:
    if len(data) < 20:
        raise GLBReadError("too short to be a GLB file")
    magic, version, length = struct.unpack_from("<III", data, 0)
    if magic != _MAGIC:
        raise GLBReadError("not a GLB file (bad magic)")
    if version != 2:
        raise GLBReadError(f"unsupported GLB version {version}")
    if length > len(data) or length < 20:
        raise GLBReadError("GLB length field does not match the data")
    offset = 12
    doc: JsonObject | None = None
    binary = b""
    while offset + 8 <= length:
        chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
        start = offset + 8
        end = start + chunk_length
        if end > length:
            raise GLBReadError("GLB chunk runs past the end of the file")
        if doc is None:
            if chunk_type != _CHUNK_JSON:
                raise GLBReadError("the first GLB chunk is not JSON")
            try:
                parsed = json.loads(data[start:end].decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise GLBReadError("the GLB JSON chunk is not valid JSON") from exc
            doc = _obj(parsed, "root")
        elif chunk_type == _CHUNK_BIN and not binary:
            binary = data[start:end]
        offset = end + ((-end) % 4)
    if doc is None:
        raise GLBReadError("GLB has no JSON chunk")
    return _Chunks(doc, binary)


class _Reader:
    def __init__(self, chunks: _Chunks) -> None:
        self.doc = chunks.doc
        self.buffers = [self._buffer_bytes(i, chunks.binary) for i in range(self._buffer_count())]

    def _buffer_count(self) -> int:
        return len(_list(self.doc, "buffers"))

    def _buffer_bytes(self, index: int, binary: bytes) -> bytes:
        buffer = _item(self.doc, "buffers", index)
        uri = buffer.get("uri")
        if uri is None:
            if index != 0:
                raise GLBReadError("only buffer 0 may be the GLB binary chunk")
            data = binary
        elif isinstance(uri, str) and uri.startswith("data:") and ";base64," in uri:
            try:
                data = base64.b64decode(uri.split(";base64,", 1)[1], validate=True)
            except ValueError as exc:
                raise GLBReadError("a data: URI buffer is not valid base64") from exc
        else:
            raise GLBReadError("external buffers are not supported")
        declared = _int(buffer.get("byteLength"), "buffer byteLength")
        if declared > len(data):
            raise GLBReadError("a buffer is shorter than its byteLength")
        return data[:declared]

    def view_bytes(self, index: Any) -> tuple[bytes, int]:
        view = _item(self.doc, "bufferViews", index)
        buffer_index = _int(view.get("buffer"), "bufferView buffer")
        if buffer_index >= len(self.buffers):
            raise GLBReadError("a bufferView refers to a missing buffer")
        buffer = self.buffers[buffer_index]
        start = _int(view.get("byteOffset", 0), "bufferView byteOffset")
        length = _int(view.get("byteLength"), "bufferView byteLength", 1)
        if start + length > len(buffer):
            raise GLBReadError("a bufferView runs past the end of its buffer")
        stride = _int(view.get("byteStride", 0), "bufferView byteStride")
        return buffer[start : start + length], stride

    def accessor(self, index: Any) -> NDArray[np.float64]:
        """An accessor as ``(count, width)`` float64 (normalised integers scaled to [0, 1])."""
        acc = _item(self.doc, "accessors", index)
        if "sparse" in acc:
            raise GLBReadError("sparse accessors are not supported")
        component = _int(acc.get("componentType"), "accessor componentType")
        dtype = _COMPONENT_DTYPES.get(component)
        width = _TYPE_WIDTHS.get(str(acc.get("type")))
        if dtype is None or width is None:
            raise GLBReadError("an accessor has an unknown component type or type")
        count = _int(acc.get("count"), "accessor count", 1)
        if "bufferView" not in acc:
            return np.zeros((count, width), dtype=np.float64)
        data, stride = self.view_bytes(acc["bufferView"])
        offset = _int(acc.get("byteOffset", 0), "accessor byteOffset")
        element = dtype.itemsize * width
        step = stride or element
        if offset + step * (count - 1) + element > len(data):
            raise GLBReadError("an accessor runs past the end of its bufferView")
        raw = np.frombuffer(data, dtype=np.uint8)[offset:]
        rows = np.lib.stride_tricks.as_strided(raw, shape=(count, element), strides=(step, 1))
        values = np.ascontiguousarray(rows).view(dtype).reshape(count, width).astype(np.float64)
        if acc.get("normalized") is True and component in _NORMALIZED_SCALE:
            values = np.maximum(values / _NORMALIZED_SCALE[component], -1.0)
        return values

    def image_png(self, texture_info: Any) -> bytes | None:
        if not isinstance(texture_info, dict):
            return None
        info = cast(JsonObject, texture_info)
        texture = _item(self.doc, "textures", info.get("index"))
        if "source" not in texture:
            return None
        image = _item(self.doc, "images", texture["source"])
        if "bufferView" in image:
            return self.view_bytes(image["bufferView"])[0]
        uri = image.get("uri")
        if isinstance(uri, str) and uri.startswith("data:") and ";base64," in uri:
            try:
                return base64.b64decode(uri.split(";base64,", 1)[1], validate=True)
            except ValueError as exc:
                raise GLBReadError("a data: URI image is not valid base64") from exc
        return None


def _node_matrix(node: JsonObject) -> NDArray[np.float64]:
    if "matrix" in node:
        values = np.asarray(node["matrix"], dtype=np.float64)
        if values.shape != (16,):
            raise GLBReadError("a node matrix does not have 16 numbers")
        return values.reshape(4, 4).T  # glTF stores column-major
    t = np.asarray(node.get("translation", [0.0, 0.0, 0.0]), dtype=np.float64)
    x, y, z, w = np.asarray(node.get("rotation", [0.0, 0.0, 0.0, 1.0]), dtype=np.float64)
    s = np.asarray(node.get("scale", [1.0, 1.0, 1.0]), dtype=np.float64)
    if t.shape != (3,) or s.shape != (3,):
        raise GLBReadError("a node translation or scale does not have 3 numbers")
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    matrix = np.eye(4)
    matrix[:3, :3] = rotation * s[None, :]
    matrix[:3, 3] = t
    return matrix


def _primitive_triangles(mode: int, indices: NDArray[np.int64]) -> NDArray[np.int64]:
    if mode == 4:
        usable = len(indices) - len(indices) % 3
        return indices[:usable].reshape(-1, 3)
    if len(indices) < 3:
        return np.zeros((0, 3), dtype=np.int64)
    k = np.arange(len(indices) - 2)
    if mode == 5:  # strip: flip every other triangle to keep the winding
        even = k % 2 == 0
        a = indices[k]
        b = np.where(even, indices[k + 1], indices[k + 2])
        c = np.where(even, indices[k + 2], indices[k + 1])
        return np.stack([a, b, c], axis=1)
    return np.stack([np.full_like(k, indices[0]), indices[k + 1], indices[k + 2]], axis=1)


@dataclass
class _Parts:
    positions: list[NDArray[np.float64]]
    normals: list[NDArray[np.float64]]
    uvs: list[NDArray[np.float64]]
    triangles: list[NDArray[np.int64]]
    material: JsonObject | None = None
    vertex_total: int = 0


def _add_primitive(
    reader: _Reader, primitive: JsonObject, world: NDArray[np.float64], parts: _Parts
) -> None:
    mode = _int(primitive.get("mode", 4), "primitive mode")
    if mode not in (4, 5, 6):
        return
    attributes = _obj(primitive.get("attributes"), "primitive attributes")
    if "POSITION" not in attributes:
        return
    positions = reader.accessor(attributes["POSITION"])[:, :3]
    count = len(positions)
    if "indices" in primitive:
        indices = reader.accessor(primitive["indices"])[:, 0].astype(np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= count):
            raise GLBReadError("a primitive index points past its vertices")
    else:
        indices = np.arange(count, dtype=np.int64)
    triangles = _primitive_triangles(mode, indices)
    linear = world[:3, :3]
    if np.linalg.det(linear) < 0:
        triangles = triangles[:, [0, 2, 1]]
    positions = np.einsum("ij,nj->ni", linear, positions) + world[:3, 3]
    if "NORMAL" in attributes:
        normal_matrix = np.linalg.inv(linear).T if abs(np.linalg.det(linear)) > 1e-30 else linear
        normals = np.einsum(
            "ij,nj->ni", normal_matrix, reader.accessor(attributes["NORMAL"])[:, :3]
        )
        if len(normals) != count:
            raise GLBReadError("NORMAL and POSITION counts differ")
    else:
        normals = vertex_normals(positions, triangles).astype(np.float64)
    if "TEXCOORD_0" in attributes:
        uvs = reader.accessor(attributes["TEXCOORD_0"])[:, :2]
        if len(uvs) != count:
            raise GLBReadError("TEXCOORD_0 and POSITION counts differ")
    else:
        uvs = np.zeros((count, 2), dtype=np.float64)
    if parts.material is None and "material" in primitive:
        parts.material = _item(reader.doc, "materials", primitive["material"])
    parts.positions.append(positions)
    parts.normals.append(normals)
    parts.uvs.append(uvs)
    parts.triangles.append(triangles + parts.vertex_total)
    parts.vertex_total += count


def _walk(
    reader: _Reader, node_index: Any, parent: NDArray[np.float64], parts: _Parts, depth: int
) -> None:
    if depth > _MAX_NODE_DEPTH:
        raise GLBReadError("the node hierarchy is too deep (or has a cycle)")
    node = _item(reader.doc, "nodes", node_index)
    world = parent @ _node_matrix(node)
    if "mesh" in node:
        mesh = _item(reader.doc, "meshes", node["mesh"])
        for primitive in _list(mesh, "primitives"):
            _add_primitive(reader, _obj(primitive, "primitive"), world, parts)
    for child in _list(node, "children"):
        _walk(reader, child, world, parts, depth + 1)


def _root_nodes(doc: JsonObject) -> list[Any]:
    scenes = _list(doc, "scenes")
    if scenes:
        scene = _item(doc, "scenes", doc.get("scene", 0))
        return _list(scene, "nodes")
    children: set[int] = set()
    for node in _list(doc, "nodes"):
        children.update(int(c) for c in _list(_obj(node, "node"), "children"))
    return [i for i in range(len(_list(doc, "nodes"))) if i not in children]


def _material(reader: _Reader, doc: JsonObject | None) -> Material | None:
    if doc is None:
        return None
    pbr = _obj(doc.get("pbrMetallicRoughness", {}), "pbrMetallicRoughness")
    factor = pbr.get("baseColorFactor", [1.0, 1.0, 1.0, 1.0])
    if not (isinstance(factor, list) and len(cast(list[Any], factor)) == 4):
        raise GLBReadError("baseColorFactor does not have 4 numbers")
    r, g, b, a = (float(v) for v in cast(list[Any], factor))
    extensions = doc.get("extensions", {})
    return Material(
        name=str(doc.get("name", "material")),
        base_color_factor=(r, g, b, a),
        metallic_factor=float(pbr.get("metallicFactor", 1.0)),
        roughness_factor=float(pbr.get("roughnessFactor", 1.0)),
        base_color_png=reader.image_png(pbr.get("baseColorTexture")),
        normal_png=reader.image_png(doc.get("normalTexture")),
        metallic_roughness_png=reader.image_png(pbr.get("metallicRoughnessTexture")),
        unlit=isinstance(extensions, dict) and "KHR_materials_unlit" in extensions,
    )


def read_glb(data: bytes) -> Mesh:
    """Read the default scene of a GLB as one triangle mesh in world coordinates.

    Args:
        data: The whole ``.glb`` file.

    Returns:
        A :class:`Mesh` with every triangle of the scene (``quads`` empty), normals (computed
        when the file has none), UVs (zeros when absent) and the first material found.

    Raises:
        GLBReadError: The data is not a GLB, is inconsistent, or uses an unsupported feature.
    """
    try:
        reader = _Reader(_split_chunks(data))
        parts = _Parts([], [], [], [])
        for root in _root_nodes(reader.doc):
            _walk(reader, root, np.eye(4), parts, 0)
        material = _material(reader, parts.material)
    except GLBReadError:
        raise
    except (TypeError, ValueError, KeyError, OverflowError, struct.error) as exc:
        raise GLBReadError("the GLB is malformed") from exc
    if not parts.positions:
        empty = np.zeros((0, 3), dtype=np.float32)
        return Mesh(empty, empty.copy(), np.zeros((0, 2), np.float32), material=material)
    positions = np.concatenate(parts.positions).astype(np.float32)
    if not np.all(np.isfinite(positions)):
        raise GLBReadError("the GLB has non-finite vertex positions")
    return Mesh(
        positions=positions,
        normals=unit_or_up(np.concatenate(parts.normals)),
        uvs=np.concatenate(parts.uvs).astype(np.float32),
        triangles=np.concatenate(parts.triangles).astype(np.uint32),
        material=material,
        name=_first_mesh_name(reader.doc),
    )


def _first_mesh_name(doc: JsonObject) -> str:
    meshes = _list(doc, "meshes")
    if meshes and isinstance(meshes[0], dict):
        name = cast(JsonObject, meshes[0]).get("name")
        if isinstance(name, str):
            return name
    return "mesh"
