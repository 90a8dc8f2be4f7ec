"""Reading uploaded GLB, OBJ and STL models; FBX, USDZ and malformed files are unreadable."""

from __future__ import annotations

import numpy as np
import pytest

from rodin_mcp.emulator.assets.mesh_reading import UnreadableModel, read_mesh
from rodin_mcp.model import read_glb
from tests.emulator.models import (
    OBJ_TRIANGLES,
    STL_TRIANGLES,
    ascii_fbx,
    ascii_stl,
    binary_stl,
    glb_model,
    obj_model,
)


def test_a_glb_reads_as_the_product_reader_sees_it() -> None:
    data = glb_model()

    mesh, expected = read_mesh(data, "glb"), read_glb(data)

    assert mesh.triangle_count == expected.triangle_count
    np.testing.assert_array_equal(mesh.positions, expected.positions)


@pytest.mark.parametrize(
    ("data", "fmt", "triangles"),
    [
        (obj_model(), "obj", OBJ_TRIANGLES),
        (binary_stl(), "stl", STL_TRIANGLES),
        (ascii_stl(), "stl", STL_TRIANGLES),
    ],
    ids=["obj", "binary-stl", "ascii-stl"],
)
def test_obj_and_stl_keep_their_triangles_with_unit_normals(
    data: bytes, fmt: str, triangles: int
) -> None:
    mesh = read_mesh(data, fmt)

    assert mesh.triangle_count == triangles
    np.testing.assert_allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (ascii_fbx(), "fbx"),
        (b"PK\x03\x04", "usdz"),
        (b"glTF\x02\x00\x00\x00broken", "glb"),
        (b"v 0 0 0\nf 1 2 3\n", "obj"),
        (b"v 0 0 0\n", "obj"),
        (b"solid empty\nendsolid empty\n", "stl"),
    ],
    ids=["fbx", "usdz", "broken-glb", "obj-index-past-end", "obj-no-faces", "stl-no-facets"],
)
def test_other_formats_and_malformed_models_are_unreadable(data: bytes, fmt: str) -> None:
    with pytest.raises(UnreadableModel):
        read_mesh(data, fmt)
