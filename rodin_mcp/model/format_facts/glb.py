"""Facts about a GLB: geometry from the shared GLB reader, materials and textures from its JSON.

The geometry (counts, bounds) comes from :func:`rodin_mcp.model.glb_reader.read_glb`, which
flattens the default scene in world coordinates. The material list and every embedded image come
from the glTF JSON chunk, which the reader does not expose, so this module reads the chunk
header itself (12 + 8 bytes, checked like the reader checks everything).
"""

from __future__ import annotations

import json
import struct
from typing import Any, cast

from rodin_mcp.model.facts import BoundingBox, ModelFacts, TextureFacts
from rodin_mcp.model.format_facts.textures import texture_facts
from rodin_mcp.model.format_facts.topology import is_watertight

__all__ = ["glb_facts"]

_MAGIC = 0x46546C67
_CHUNK_JSON = 0x4E4F534A
_CHUNK_BIN = 0x004E4942
_ROLES = (
    ("pbrMetallicRoughness", "baseColorTexture", "base colour"),
    ("pbrMetallicRoughness", "metallicRoughnessTexture", "metallic-roughness"),
    (None, "normalTexture", "normal"),
    (None, "occlusionTexture", "occlusion"),
    (None, "emissiveTexture", "emissive"),
)

JsonObject = dict[str, Any]


class _Unreadable(ValueError):
    pass


def _chunks(data: bytes) -> tuple[JsonObject, bytes]:
    if len(data) < 20:
        raise _Unreadable("the file is too short to be a GLB")
    magic, version, length = struct.unpack_from("<III", data, 0)
    if magic != _MAGIC or version != 2:
        raise _Unreadable("the file is not a glTF 2.0 binary")
    end = min(length, len(data))
    json_length, json_type = struct.unpack_from("<II", data, 12)
    if json_type != _CHUNK_JSON or 20 + json_length > end:
        raise _Unreadable("the GLB's JSON chunk is missing or cut short")
    try:
        doc = json.loads(data[20 : 20 + json_length])
    except (UnicodeDecodeError, ValueError):
        raise _Unreadable("the GLB's JSON chunk is not valid JSON") from None
    if not isinstance(doc, dict):
        raise _Unreadable("the GLB's JSON chunk is not an object")
    binary = b""
    offset = 20 + json_length
    if offset + 8 <= end:
        bin_length, bin_type = struct.unpack_from("<II", data, offset)
        if bin_type == _CHUNK_BIN:
            binary = data[offset + 8 : min(offset + 8 + bin_length, end)]
    return cast(JsonObject, doc), binary


def _objects(doc: JsonObject, key: str) -> list[JsonObject]:
    value = doc.get(key, [])
    items = cast(list[Any], value) if isinstance(value, list) else []
    return [cast(JsonObject, i) if isinstance(i, dict) else {} for i in items]


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _texture_index(material: JsonObject, parent: str | None, key: str) -> int | None:
    holder: Any = material.get(parent, {}) if parent else material
    info: Any = cast(JsonObject, holder).get(key) if isinstance(holder, dict) else None
    return _index(cast(JsonObject, info).get("index")) if isinstance(info, dict) else None


def _image_roles(doc: JsonObject) -> dict[int, str]:
    textures = _objects(doc, "textures")
    roles: dict[int, str] = {}
    for material in _objects(doc, "materials"):
        for parent, key, role in _ROLES:
            texture = _texture_index(material, parent, key)
            if texture is None or not 0 <= texture < len(textures):
                continue
            source = _index(textures[texture].get("source"))
            if source is not None:
                roles.setdefault(source, role)
    return roles


def _image_bytes(doc: JsonObject, image: JsonObject, binary: bytes) -> bytes | None:
    view_index = _index(image.get("bufferView"))
    views = _objects(doc, "bufferViews")
    if view_index is None or not 0 <= view_index < len(views):
        return None
    view = views[view_index]
    if _index(view.get("buffer")) != 0:
        return None
    start = _index(view.get("byteOffset", 0)) or 0
    length = _index(view.get("byteLength"))
    if length is None or start < 0 or start + length > len(binary):
        return None
    return binary[start : start + length]


def _textures(doc: JsonObject, binary: bytes, notes: list[str]) -> list[TextureFacts]:
    roles = _image_roles(doc)
    found: list[TextureFacts] = []
    for i, image in enumerate(_objects(doc, "images")):
        name = str(image.get("name") or f"image {i}")
        mime = image.get("mimeType")
        mime_type = mime if isinstance(mime, str) else None
        data = _image_bytes(doc, image, binary)
        if data is None:
            notes.append(f"{name} is not embedded in the GLB (an external or data: URI)")
            continue
        found.append(texture_facts(name, data, role=roles.get(i), mime_type=mime_type))
    return found


def _geometry(data: bytes, notes: list[str]) -> dict[str, Any]:
    from rodin_mcp.model.glb_reader import GLBReadError, read_glb

    try:
        mesh = read_glb(data)
    except GLBReadError as exc:
        notes.append(f"the geometry could not be read: {exc}")
        return {}
    low, high = mesh.bounds()
    box = None
    if mesh.vertex_count:
        box = BoundingBox(
            minimum=(float(low[0]), float(low[1]), float(low[2])),
            maximum=(float(high[0]), float(high[1]), float(high[2])),
        )
    return {
        "vertex_count": mesh.vertex_count,
        "triangle_count": mesh.triangle_count,
        "bounding_box": box,
        "watertight": is_watertight(mesh.positions, mesh.triangulated()),
    }


def glb_facts(path: str, data: bytes) -> ModelFacts:
    """Facts about a GLB file whose bytes are ``data``; never raises for a malformed file."""
    notes: list[str] = []
    try:
        doc, binary = _chunks(data)
    except _Unreadable as exc:
        return ModelFacts(path=path, format="glb", file_size=len(data), notes=[str(exc)])
    materials = [
        str(m.get("name") or f"material {i}") for i, m in enumerate(_objects(doc, "materials"))
    ]
    meshes = [str(m.get("name") or f"mesh {i}") for i, m in enumerate(_objects(doc, "meshes"))]
    textures = _textures(doc, binary, notes)
    geometry = _geometry(data, notes)
    return ModelFacts(
        path=path,
        format="glb",
        file_size=len(data),
        up_axis="+Y",  # glTF 2.0 fixes +Y up and metres
        units="metres",
        meshes=meshes,
        materials=materials,
        textures=textures,
        notes=notes,
        **geometry,
    )
