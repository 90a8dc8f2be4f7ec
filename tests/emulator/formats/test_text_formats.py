"""OBJ, MTL and STL: they load in trimesh with the faces that were written."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from rodin_mcp.emulator.formats.obj import MtlTextures, write_mtl, write_obj
from rodin_mcp.emulator.formats.stl import write_stl
from rodin_mcp.model.mesh import Material
from tests.emulator.formats.trimesh_load import has_texture
from tests.emulator.formats.trimesh_load import load_mesh as _load
from tests.model.meshes import grid, pbr_material, png


def test_an_obj_with_its_mtl_and_textures_loads_in_trimesh_with_every_face(tmp_path: Path) -> None:
    mesh = grid(9, 5, pbr_material())
    assert mesh.material is not None
    assert mesh.material.base_color_png is not None
    (tmp_path / "model.obj").write_bytes(write_obj(mesh, "model.mtl"))
    (tmp_path / "model.mtl").write_bytes(write_mtl(mesh, MtlTextures(diffuse="diffuse.png")))
    (tmp_path / "diffuse.png").write_bytes(mesh.material.base_color_png)

    loaded = _load(tmp_path / "model.obj")

    assert len(loaded.faces) == mesh.triangle_count
    np.testing.assert_allclose(
        np.sort(loaded.vertices, axis=0), np.sort(mesh.positions, axis=0), atol=1e-5
    )
    assert has_texture(loaded)


def test_obj_keeps_quads_as_four_vertex_faces_unless_asked_to_split_them() -> None:
    mesh = grid(4, 3)

    kept = write_obj(mesh).decode().splitlines()
    split = write_obj(mesh, keep_quads=False).decode().splitlines()

    def face_sizes(lines: list[str]) -> list[int]:
        return [len(line.split()) - 1 for line in lines if line.startswith("f ")]

    assert face_sizes(kept) == [4] * 12
    assert face_sizes(split) == [3] * 24


def test_obj_flips_v_to_the_bottom_left_origin() -> None:
    mesh = grid(1, 1)

    uvs = [
        line.split()[1:] for line in write_obj(mesh).decode().splitlines() if line.startswith("vt ")
    ]

    np.testing.assert_allclose(np.asarray(uvs, dtype=float)[:, 1], 1.0 - mesh.uvs[:, 1], atol=1e-6)


def test_mtl_names_every_given_texture_and_the_pbr_factors() -> None:
    mesh = grid(1, 1, pbr_material())
    names = MtlTextures(diffuse="d.png", normal="n.png", metallic="m.png", roughness="r.png")

    lines = write_mtl(mesh, names).decode().splitlines()

    for expected in (
        "newmtl test_material",
        "map_Kd d.png",
        "norm n.png",
        "map_Pm m.png",
        "map_Pr r.png",
    ):
        assert expected in lines
    assert "Pm 1.000000" in lines


def test_an_unlit_material_is_written_without_lighting_terms() -> None:
    mesh = grid(1, 1, Material(name="baked", base_color_png=png(2, 2), unlit=True))

    lines = write_mtl(mesh, MtlTextures(diffuse="shaded.png")).decode().splitlines()

    assert "illum 1" in lines
    assert not any(line.startswith(("Pm", "Pr")) for line in lines)


def test_a_binary_stl_loads_in_trimesh_with_every_face(tmp_path: Path) -> None:
    mesh = grid(7, 6)
    path = tmp_path / "model.stl"
    path.write_bytes(write_stl(mesh))

    loaded = _load(path)

    assert len(loaded.faces) == mesh.triangle_count
    assert loaded.bounds is not None
    np.testing.assert_allclose(loaded.bounds, np.stack(mesh.bounds()), atol=1e-6)


def test_stl_is_binary_with_a_header_that_does_not_pretend_to_be_ascii() -> None:
    data = write_stl(grid(2, 2))

    assert not data.startswith(b"solid")
    assert struct.unpack_from("<I", data, 80)[0] == 8
    assert len(data) == 84 + 50 * 8


def test_stl_facet_normals_point_out_of_the_front_faces() -> None:
    data = write_stl(grid(3, 3))

    normals = np.frombuffer(data[84:], dtype=np.dtype([("n", "<f4", (3,)), ("rest", "V38")]))["n"]

    assert (normals[:, 1] > 0.5).all()
