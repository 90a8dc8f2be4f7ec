"""Model files a client may upload: a real GLB, and small OBJ, STL and FBX texts."""

from __future__ import annotations

import struct

from rodin_mcp.emulator.assets import generate_files
from tests.emulator.assets.requests import request

# A unit square (two triangles) and a tetrahedron-like wedge: 4 triangles in all.
_OBJ = b"""# a small model
o wedge
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0.5 0.5 1
f 1 2 3 4
f 1 2 5
f -2 -1 -3
"""
OBJ_TRIANGLES = 4

_STL_TRIANGLES = [
    ((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    ((0.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    ((0.0, 0.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
]
STL_TRIANGLES = len(_STL_TRIANGLES)


def glb_model() -> bytes:
    """A textured GLB the emulator itself generated (a small mug)."""
    return generate_files(request(prompt="a mug", target_faces=800))[0].data


def obj_model() -> bytes:
    """An OBJ with a quad and two triangles (one with negative indices)."""
    return _OBJ


def binary_stl() -> bytes:
    """A binary STL of three facets."""
    body = b"".join(
        struct.pack("<3f", 0.0, 0.0, 0.0)
        + b"".join(struct.pack("<3f", *corner) for corner in facet)
        + b"\0\0"
        for facet in _STL_TRIANGLES
    )
    return b"binary stl".ljust(80, b" ") + struct.pack("<I", STL_TRIANGLES) + body


def ascii_stl() -> bytes:
    """An ASCII STL of three facets."""
    lines = ["solid test"]
    for facet in _STL_TRIANGLES:
        lines += ["facet normal 0 0 0", "outer loop"]
        lines += [f"vertex {x} {y} {z}" for x, y, z in facet]
        lines += ["endloop", "endfacet"]
    lines.append("endsolid test")
    return "\n".join(lines).encode()


def ascii_fbx() -> bytes:
    """The start of an ASCII FBX (a format the emulator accepts but does not read)."""
    return b"; FBX 7.4.0 project file\nFBXHeaderExtension:  {\n\tFBXVersion: 7400\n}\n"
