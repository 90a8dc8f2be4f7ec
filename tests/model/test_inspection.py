"""Model facts read back from files written by the project's own format writers."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rodin_mcp.emulator.formats.fbx import FbxTextures, write_fbx
from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.emulator.formats.obj import MtlTextures, write_mtl, write_obj
from rodin_mcp.emulator.formats.stl import write_stl
from rodin_mcp.emulator.formats.usdz import write_usdz
from rodin_mcp.model import inspect_model_file, main_model_file
from rodin_mcp.model.mesh import Material, Mesh

# A box 2 m wide, 1 m tall and 0.5 m deep, off the origin: 6 quads, 24 split vertices.
LOW = np.array([1.0, -0.5, 0.25])
SIZE = np.array([2.0, 1.0, 0.5])
_FACES = [  # (axis, sign): the four corners of each side, counter-clockwise from outside
    ((0, 0, 0), (0, 1, 0), (0, 1, 1), (0, 0, 1)),
    ((1, 0, 0), (1, 0, 1), (1, 1, 1), (1, 1, 0)),
    ((0, 0, 0), (0, 0, 1), (1, 0, 1), (1, 0, 0)),
    ((0, 1, 0), (1, 1, 0), (1, 1, 1), (0, 1, 1)),
    ((0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)),
    ((0, 0, 1), (0, 1, 1), (1, 1, 1), (1, 0, 1)),
]


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def box_mesh(*, textured: bool = True) -> Mesh:
    corners = np.array([c for face in _FACES for c in face], dtype=np.float64)
    positions = (LOW + corners * SIZE).astype(np.float32)
    normals = np.zeros_like(positions)
    normals[:, 1] = 1.0
    uvs = np.tile(np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32), (6, 1))
    quads = np.arange(24, dtype=np.uint32).reshape(6, 4)
    material = (
        Material(name="oak", base_color_png=png(32, 16), normal_png=png(8, 8)) if textured else None
    )
    return Mesh(positions, normals, uvs, quads=quads, material=material, name="box")


def assert_box_geometry(facts_size: tuple[float, float, float] | None) -> None:
    assert facts_size is not None
    assert facts_size == pytest.approx(tuple(SIZE), abs=1e-5)


def test_a_glb_reports_counts_size_material_and_embedded_textures(tmp_path: Path) -> None:
    path = tmp_path / "base_basic_pbr.glb"
    path.write_bytes(write_glb(box_mesh()))

    facts = inspect_model_file(path)

    assert facts.format == "glb"
    assert facts.file_size == path.stat().st_size
    assert facts.vertex_count == 24
    assert facts.triangle_count == 12
    assert facts.bounding_box is not None
    assert facts.bounding_box.minimum == pytest.approx(tuple(LOW), abs=1e-5)
    assert_box_geometry(facts.bounding_box.size)
    assert facts.materials == ["oak"]
    sizes = {(t.role, t.width, t.height, t.mime_type) for t in facts.textures}
    assert sizes == {("base colour", 32, 16, "image/png"), ("normal", 8, 8, "image/png")}
    assert all(t.byte_size > 0 for t in facts.textures)
    assert (facts.up_axis, facts.units, facts.meshes) == ("+Y", "metres", ["box"])
    assert facts.watertight is True
    assert facts.notes == []


def test_a_box_with_a_face_missing_is_not_watertight(tmp_path: Path) -> None:
    box = box_mesh(textured=False)
    open_box = Mesh(box.positions, box.normals, box.uvs, quads=box.quads[:5], name="open")
    path = tmp_path / "open.glb"
    path.write_bytes(write_glb(open_box))

    facts = inspect_model_file(path)

    assert facts.triangle_count == 10
    assert facts.watertight is False


def test_a_malformed_glb_is_reported_in_notes_not_raised(tmp_path: Path) -> None:
    good = write_glb(box_mesh())
    path = tmp_path / "broken.glb"
    path.write_bytes(good[:40])

    facts = inspect_model_file(path)

    assert facts.vertex_count is None
    assert facts.notes


def test_a_file_named_glb_that_holds_no_model_says_so(tmp_path: Path) -> None:
    path = tmp_path / "model.glb"
    path.write_bytes(b"<html>not a model</html>")

    facts = inspect_model_file(path)

    assert facts.format == "unknown"
    assert facts.notes == ["the content is not a GLB, OBJ, STL, FBX, USDZ or 3MF model"]


def test_the_content_not_the_name_tells_the_format(tmp_path: Path) -> None:
    path = tmp_path / "actually_a_glb.obj"
    path.write_bytes(write_glb(box_mesh()))

    facts = inspect_model_file(path)

    assert (facts.format, facts.triangle_count) == ("glb", 12)


def test_an_obj_reports_counts_bounds_and_the_textures_its_mtl_names(tmp_path: Path) -> None:
    mesh = box_mesh()
    (tmp_path / "texture_diffuse.png").write_bytes(png(64, 32))
    (tmp_path / "model.mtl").write_bytes(
        write_mtl(mesh, MtlTextures(diffuse="texture_diffuse.png", normal="missing.png"))
    )
    path = tmp_path / "model.obj"
    path.write_bytes(write_obj(mesh, "model.mtl"))

    facts = inspect_model_file(path)

    assert (facts.vertex_count, facts.triangle_count) == (24, 12)
    assert facts.bounding_box is not None
    assert_box_geometry(facts.bounding_box.size)
    assert facts.materials == ["oak"]
    assert (facts.up_axis, facts.meshes) == ("+Y", ["box"])
    assert [(t.name, t.role, t.width, t.height) for t in facts.textures] == [
        ("texture_diffuse.png", "base colour", 64, 32)
    ]
    assert any("missing.png" in note for note in facts.notes)


def test_a_binary_stl_reports_its_triangles_and_bounds(tmp_path: Path) -> None:
    path = tmp_path / "model.stl"
    path.write_bytes(write_stl(box_mesh(textured=False)))

    facts = inspect_model_file(path)

    assert facts.triangle_count == 12
    assert facts.bounding_box is not None
    assert_box_geometry(facts.bounding_box.size)
    assert facts.materials == []
    assert facts.watertight is True


def test_an_ascii_stl_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "tri.stl"
    path.write_text(
        "solid tri\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 3 0 0\n"
        "   vertex 0 2 0\n  endloop\n endfacet\nendsolid tri\n"
    )

    facts = inspect_model_file(path)

    assert facts.triangle_count == 1
    assert facts.bounding_box is not None
    assert facts.bounding_box.size == pytest.approx((3.0, 2.0, 0.0))


def test_an_ascii_fbx_reports_geometry_material_and_textures_beside_it(tmp_path: Path) -> None:
    (tmp_path / "texture_diffuse.png").write_bytes(png(16, 16))
    path = tmp_path / "model.fbx"
    path.write_bytes(write_fbx(box_mesh(), FbxTextures(diffuse="texture_diffuse.png")))

    facts = inspect_model_file(path)

    assert (facts.vertex_count, facts.triangle_count) == (24, 12)
    assert facts.bounding_box is not None
    assert_box_geometry(facts.bounding_box.size)
    assert facts.materials == ["oak"]
    assert (facts.up_axis, facts.units, facts.meshes) == ("+Y", "metres", ["box"])
    assert [(t.name, t.width) for t in facts.textures] == [("texture_diffuse.png", 16)]


def test_a_binary_fbx_reports_only_its_version(tmp_path: Path) -> None:
    path = tmp_path / "model.fbx"
    header = b"Kaydara FBX Binary  \x00\x1a\x00" + (7400).to_bytes(4, "little")
    path.write_bytes(header + b"\0" * 64)

    facts = inspect_model_file(path)

    assert facts.vertex_count is None
    assert facts.notes == ["binary FBX 7.4: geometry is not read for this format"]


def test_a_usdz_reports_its_packed_textures_and_text_layer_geometry(tmp_path: Path) -> None:
    path = tmp_path / "model.usdz"
    path.write_bytes(write_usdz(box_mesh()))

    facts = inspect_model_file(path)

    assert (facts.vertex_count, facts.triangle_count) == (24, 12)
    assert facts.bounding_box is not None
    assert_box_geometry(facts.bounding_box.size)
    assert facts.materials == ["oak"]
    assert (facts.up_axis, facts.units, facts.meshes) == ("+Y", "metres", ["box"])
    assert sorted((t.name, t.width, t.height) for t in facts.textures) == [
        ("textures/diffuse.png", 32, 16),
        ("textures/normal.png", 8, 8),
    ]


def test_an_unknown_format_reports_only_its_size(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")

    facts = inspect_model_file(path)

    assert (facts.format, facts.file_size, facts.vertex_count) == ("unknown", 5, None)


def test_the_main_model_is_the_pbr_base_model_when_there_is_one() -> None:
    names = [Path("preview.webp"), Path("base_basic_shaded.glb"), Path("base_basic_pbr.glb")]

    assert main_model_file(names) == Path("base_basic_pbr.glb")
    assert main_model_file([Path("preview.webp"), Path("x.obj")]) == Path("x.obj")
    assert main_model_file([Path("preview.webp")]) is None
