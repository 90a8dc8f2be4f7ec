"""The GLB reader: round trips through the writer, node transforms, and refusing bad bytes."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.model.glb_reader import GLBReadError, read_glb
from rodin_mcp.model.mesh import Material, Mesh, unit_or_up
from tests.model.glb_bytes import glb_chunks, repack_glb
from tests.model.meshes import grid, pbr_material, png


@st.composite
def small_meshes(draw: st.DrawFn) -> Mesh:
    n = draw(st.integers(3, 24))
    coordinate = st.floats(-1000, 1000, width=32, allow_nan=False, allow_infinity=False)
    positions = draw(arrays(np.float32, (n, 3), elements=coordinate))
    directions = draw(arrays(np.float32, (n, 3), elements=st.floats(-1, 1, width=32)))
    uvs = draw(arrays(np.float32, (n, 2), elements=st.floats(-4, 4, width=32)))
    vertex = st.integers(0, n - 1)
    tri_count = draw(st.integers(0, 16))
    quad_count = draw(st.integers(0 if tri_count else 1, 8))
    triangles = draw(arrays(np.uint32, (tri_count, 3), elements=vertex))
    quads = draw(arrays(np.uint32, (quad_count, 4), elements=vertex))
    material = draw(
        st.none()
        | st.builds(
            Material,
            name=st.text("abcdefghij_", min_size=1, max_size=12),
            base_color_factor=st.tuples(*[st.floats(0, 1)] * 4),
            metallic_factor=st.floats(0, 1),
            roughness_factor=st.floats(0, 1),
            base_color_png=st.none() | st.integers(0, 9).map(lambda s: png(3, 2, s)),
            normal_png=st.none() | st.integers(0, 9).map(lambda s: png(2, 2, s)),
            metallic_roughness_png=st.none() | st.integers(0, 9).map(lambda s: png(1, 3, s)),
            unlit=st.booleans(),
        )
    )
    return Mesh(positions, unit_or_up(directions), uvs, triangles, quads, material, "m")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_meshes())
def test_the_reader_reads_back_what_the_writer_wrote(mesh: Mesh) -> None:
    back = read_glb(write_glb(mesh))

    np.testing.assert_array_equal(back.positions, mesh.positions)
    np.testing.assert_allclose(back.normals, mesh.normals, atol=1e-6)
    np.testing.assert_array_equal(back.uvs, mesh.uvs)
    np.testing.assert_array_equal(back.triangles, mesh.triangulated())
    assert back.quads.shape == (0, 4)
    if mesh.material is None:
        assert back.material is None
        return
    assert back.material is not None
    written, read = mesh.material, back.material
    assert read.name == written.name
    assert read.base_color_png == written.base_color_png
    assert read.unlit == written.unlit
    np.testing.assert_allclose(read.base_color_factor, written.base_color_factor)
    np.testing.assert_allclose(read.metallic_factor, written.metallic_factor)
    np.testing.assert_allclose(read.roughness_factor, written.roughness_factor)
    if not written.unlit:
        assert read.normal_png == written.normal_png
        assert read.metallic_roughness_png == written.metallic_roughness_png


def test_the_reader_applies_node_transforms_through_the_hierarchy() -> None:
    mesh = grid(2, 2)
    doc, binary = glb_chunks(write_glb(mesh))
    doc["nodes"] = [
        {"children": [1], "translation": [1.0, 2.0, 3.0]},
        {
            "mesh": 0,
            "scale": [2.0, 2.0, 2.0],
            "rotation": [0.0, 0.7071067811865476, 0.0, 0.7071067811865476],
        },
    ]
    back = read_glb(repack_glb(doc, binary))

    p = mesh.positions.astype(np.float64)
    # A quarter turn about +Y maps (x, y, z) to (z, y, -x).
    expected = np.stack([p[:, 2], p[:, 1], -p[:, 0]], axis=1) * 2.0 + [1.0, 2.0, 3.0]
    np.testing.assert_allclose(back.positions, expected, atol=1e-5)
    n = mesh.normals.astype(np.float64)
    np.testing.assert_allclose(
        back.normals, np.stack([n[:, 2], n[:, 1], -n[:, 0]], axis=1), atol=1e-5
    )


def test_the_reader_computes_normals_when_the_file_has_none() -> None:
    mesh = grid(3, 3)
    doc, binary = glb_chunks(write_glb(mesh))
    del doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"]

    back = read_glb(repack_glb(doc, binary))

    assert back.normals[:, 1].min() > 0.7  # the patch faces up


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "too short"),
        (b"PK\x03\x04" + b"\x00" * 30, "bad magic"),
        (struct.pack("<III", 0x46546C67, 1, 20) + b"\x00" * 8, "version"),
        (struct.pack("<III", 0x46546C67, 2, 999) + b"\x00" * 8, "length"),
    ],
)
def test_the_reader_refuses_what_is_not_a_glb(data: bytes, message: str) -> None:
    with pytest.raises(GLBReadError, match=message):
        read_glb(data)


def test_the_reader_refuses_an_accessor_that_runs_past_its_buffer() -> None:
    doc, binary = glb_chunks(write_glb(grid(2, 2)))
    doc["accessors"][0]["count"] = 10_000

    with pytest.raises(GLBReadError, match="past the end"):
        read_glb(repack_glb(doc, binary))


def test_the_reader_refuses_indices_that_point_past_the_vertices() -> None:
    doc, binary = glb_chunks(write_glb(grid(2, 2)))
    doc["accessors"][0]["count"] = 3

    with pytest.raises(GLBReadError, match="index points past"):
        read_glb(repack_glb(doc, binary))


_VALID = write_glb(grid(3, 2, pbr_material()))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corrupted_glbs_raise_only_glb_read_errors(data: st.DataObject) -> None:
    blob = bytearray(_VALID)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))

    try:
        mesh = read_glb(bytes(blob[:cut]))
    except GLBReadError:
        return
    assert mesh.positions.shape[1] == 3
