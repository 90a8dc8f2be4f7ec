"""USDZ writer: a text USD layer (``.usda``) and its PNG textures in an aligned, stored zip.

The package follows the USDZ rules: entries are stored (no compression), every entry's data
starts on a 64-byte boundary (padding goes in a local-header extra field, id 0x1986), the
first entry is the root layer, and no timestamps are recorded (every entry is dated
1980-01-01 00:00). The layer holds one Mesh prim (quads kept as 4-gons) with normals and
``primvars:st``, bound to a UsdPreviewSurface material whose UsdUVTexture shaders read
``textures/*.png`` inside the package.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.emulator.formats.text_arrays import format_rows
from rodin_mcp.model.mesh import Mesh

__all__ = ["USDZ_ALIGNMENT", "write_usdz", "zip_stored_aligned"]

USDZ_ALIGNMENT = 64
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_PAD_EXTRA_ID = 0x1986


@dataclass(frozen=True)
class _Entry:
    name: bytes
    data: bytes
    offset: int
    crc: int


def zip_stored_aligned(files: list[tuple[str, bytes]], alignment: int = USDZ_ALIGNMENT) -> bytes:
    """A zip archive of stored (uncompressed) entries whose data is ``alignment``-aligned.

    Args:
        files: ``(name, data)`` pairs in archive order.
        alignment: Byte boundary each entry's data must start on.

    Returns:
        The archive bytes (deterministic: fixed dates, no data descriptors).
    """
    out = bytearray()
    entries: list[_Entry] = []
    for name, data in files:
        encoded = name.encode("utf-8")
        offset = len(out)
        unpadded = offset + 30 + len(encoded)
        padding = (-unpadded) % alignment
        if 0 < padding < 4:
            padding += alignment
        extra = b""
        if padding:
            extra = struct.pack("<HH", _PAD_EXTRA_ID, padding - 4) + b"\x00" * (padding - 4)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            0,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            len(data),
            len(data),
            len(encoded),
            len(extra),
        )
        out += encoded + extra
        out += data
        entries.append(_Entry(encoded, data, offset, crc))
    directory_offset = len(out)
    for entry in entries:
        out += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            0,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            len(entry.data),
            len(entry.data),
            len(entry.name),
            0,
            0,
            0,
            0,
            0,
            entry.offset,
        )
        out += entry.name
    directory_size = len(out) - directory_offset
    out += struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        len(entries),
        len(entries),
        directory_size,
        directory_offset,
        0,
    )
    return bytes(out)


def _tuples(template: str, values: NDArray[np.float64]) -> str:
    return format_rows(template, values).rstrip(", ")


def _mesh_prim(mesh: Mesh, material_path: str | None) -> str:
    counts = [4] * len(mesh.quads) + [3] * len(mesh.triangles)
    indices = np.concatenate([mesh.quads.reshape(-1), mesh.triangles.reshape(-1)]).astype(np.int64)
    low, high = mesh.bounds()
    st = mesh.uvs.astype(np.float64) * np.array([1.0, -1.0]) + np.array([0.0, 1.0])
    binding = (
        f"        rel material:binding = <{material_path}>\n" if material_path is not None else ""
    )
    api = ' (\n        prepend apiSchemas = ["MaterialBindingAPI"]\n    )' if material_path else ""
    return (
        f'    def Mesh "{_identifier(mesh.name)}"{api}\n'
        "    {\n"
        f"        float3[] extent = [({low[0]:.6f}, {low[1]:.6f}, {low[2]:.6f}), "
        f"({high[0]:.6f}, {high[1]:.6f}, {high[2]:.6f})]\n"
        f"        int[] faceVertexCounts = [{', '.join(map(str, counts))}]\n"
        f"        int[] faceVertexIndices = [{', '.join(map(str, indices.tolist()))}]\n"
        f"{binding}"
        "        normal3f[] normals = ["
        + _tuples("(%.6f, %.6f, %.6f), ", mesh.normals.astype(np.float64))
        + '] (\n            interpolation = "vertex"\n        )\n'
        "        point3f[] points = ["
        + _tuples("(%.6f, %.6f, %.6f), ", mesh.positions.astype(np.float64))
        + "]\n"
        "        texCoord2f[] primvars:st = ["
        + _tuples("(%.6f, %.6f), ", st)
        + '] (\n            interpolation = "vertex"\n        )\n'
        '        uniform token subdivisionScheme = "none"\n'
        "    }\n"
    )


def _identifier(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "mesh"
    return cleaned if not cleaned[0].isdigit() else f"_{cleaned}"


def _texture_shader(
    name: str, file: str, material: str, colour_space: str, outputs: str, normal: bool
) -> str:
    remap = (
        "            float4 inputs:scale = (2, 2, 2, 1)\n"
        "            float4 inputs:bias = (-1, -1, -1, 0)\n"
        if normal
        else ""
    )
    return (
        f'        def Shader "{name}"\n'
        "        {\n"
        '            uniform token info:id = "UsdUVTexture"\n'
        f"            asset inputs:file = @{file}@\n"
        f"            float2 inputs:st.connect = <{material}/stReader.outputs:result>\n"
        f'            token inputs:sourceColorSpace = "{colour_space}"\n'
        '            token inputs:wrapS = "repeat"\n'
        '            token inputs:wrapT = "repeat"\n'
        f"{remap}"
        f"{outputs}"
        "        }\n"
    )


def _connect(typed_input: str, material_path: str, shader: str, output: str) -> str:
    kind, name = typed_input.split()
    return (
        f"            {kind} inputs:{name}.connect = <{material_path}/{shader}.outputs:{output}>\n"
    )


def _material_prim(mesh: Mesh, material_path: str, textures: dict[str, str]) -> str:
    material = mesh.material
    assert material is not None
    r, g, b = material.base_color_factor[:3]
    inputs: list[str] = []
    shaders: list[str] = []
    if "diffuse" in textures:
        inputs.append(_connect("color3f diffuseColor", material_path, "diffuseTexture", "rgb"))
        shaders.append(
            _texture_shader(
                "diffuseTexture",
                textures["diffuse"],
                material_path,
                "sRGB",
                "            float3 outputs:rgb\n",
                False,
            )
        )
    else:
        inputs.append(f"            color3f inputs:diffuseColor = ({r:.6f}, {g:.6f}, {b:.6f})\n")
    if "metallic_roughness" in textures:
        inputs.append(_connect("float metallic", material_path, "metallicRoughnessTexture", "b"))
        inputs.append(_connect("float roughness", material_path, "metallicRoughnessTexture", "g"))
        shaders.append(
            _texture_shader(
                "metallicRoughnessTexture",
                textures["metallic_roughness"],
                material_path,
                "raw",
                "            float outputs:g\n            float outputs:b\n",
                False,
            )
        )
    else:
        metallic = 0.0 if material.unlit else material.metallic_factor
        roughness = 1.0 if material.unlit else material.roughness_factor
        inputs.append(f"            float inputs:metallic = {metallic:.6f}\n")
        inputs.append(f"            float inputs:roughness = {roughness:.6f}\n")
    if "normal" in textures:
        inputs.append(_connect("normal3f normal", material_path, "normalTexture", "rgb"))
        shaders.append(
            _texture_shader(
                "normalTexture",
                textures["normal"],
                material_path,
                "raw",
                "            float3 outputs:rgb\n",
                True,
            )
        )
    surface = f"{material_path}/PreviewSurface.outputs:surface"
    return (
        f'        def Material "{_identifier(material.name)}"\n'
        "        {\n"
        f"            token outputs:surface.connect = <{surface}>\n"
        '            def Shader "PreviewSurface"\n'
        "            {\n"
        '                uniform token info:id = "UsdPreviewSurface"\n'
        + "".join("    " + line for line in inputs)
        + "                int inputs:useSpecularWorkflow = 0\n"
        "                token outputs:surface\n"
        "            }\n"
        '            def Shader "stReader"\n'
        "            {\n"
        '                uniform token info:id = "UsdPrimvarReader_float2"\n'
        '                string inputs:varname = "st"\n'
        "                float2 outputs:result\n"
        "            }\n" + "".join(_indent(shader) for shader in shaders) + "        }\n"
    )


def _indent(block: str) -> str:
    return "".join("    " + line if line else line for line in block.splitlines(keepends=True))


def write_usdz(mesh: Mesh, layer_name: str = "model.usda") -> bytes:
    """Serialise a mesh and its textures as a USDZ package.

    Args:
        mesh: The mesh; its material's PNG textures are packed under ``textures/``.
        layer_name: File name of the root layer inside the package (must end in ``.usda``).

    Returns:
        The USDZ bytes (deterministic).
    """
    material = mesh.material
    files: list[tuple[str, bytes]] = []
    textures: dict[str, str] = {}
    if material is not None:
        maps = {
            "diffuse": material.base_color_png,
            "metallic_roughness": None if material.unlit else material.metallic_roughness_png,
            "normal": None if material.unlit else material.normal_png,
        }
        for key, png in maps.items():
            if png is not None:
                textures[key] = f"textures/{key}.png"
                files.append((textures[key], png))
    root = "/Root"
    material_path = f"{root}/Materials/{_identifier(material.name)}" if material else None
    layer = (
        "#usda 1.0\n"
        "(\n"
        '    defaultPrim = "Root"\n'
        "    metersPerUnit = 1\n"
        '    upAxis = "Y"\n'
        ")\n\n"
        'def Xform "Root" (\n'
        '    kind = "component"\n'
        ")\n"
        "{\n" + _mesh_prim(mesh, material_path)
    )
    if material_path is not None:
        layer += '\n    def Scope "Materials"\n    {\n' + _material_prim(
            mesh, material_path, textures
        )
        layer += "    }\n"
    layer += "}\n"
    return zip_stored_aligned([(layer_name, layer.encode("utf-8")), *files])
