"""USDZ: an aligned, stored zip whose first entry is the USD layer that names its textures."""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest

from rodin_mcp.emulator.formats.usdz import USDZ_ALIGNMENT, write_usdz, zip_stored_aligned
from rodin_mcp.model.mesh import Material
from tests.model.meshes import grid, pbr_material, png


def _data_offsets(archive: bytes) -> dict[str, int]:
    offsets: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        for info in z.infolist():
            name_length, extra_length = struct.unpack_from("<HH", archive, info.header_offset + 26)
            offsets[info.filename] = info.header_offset + 30 + name_length + extra_length
    return offsets


def _layer(archive: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return z.read(z.namelist()[0]).decode()


def test_every_entry_is_stored_uncompressed_and_64_byte_aligned() -> None:
    archive = write_usdz(grid(6, 6, pbr_material()), "base.usda")

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.testzip() is None
        infos = z.infolist()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
    assert all(offset % USDZ_ALIGNMENT == 0 for offset in _data_offsets(archive).values())


@pytest.mark.parametrize("name_length", range(1, 70, 7))
def test_alignment_holds_whatever_the_entry_names(name_length: int) -> None:
    files = [("a" * name_length + ".usda", b"#usda 1.0\n"), ("t/" + "b" * name_length, b"x" * 13)]

    archive = zip_stored_aligned(files)

    assert all(offset % 64 == 0 for offset in _data_offsets(archive).values())
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert [z.read(n) for n in z.namelist()] == [data for _, data in files]


def test_the_first_entry_is_the_usd_layer_and_every_referenced_texture_is_inside() -> None:
    archive = write_usdz(grid(4, 3, pbr_material()), "base_basic_pbr.usda")

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = z.namelist()
    layer = _layer(archive)
    assets = re.findall(r"@([^@]+)@", layer)

    assert names[0] == "base_basic_pbr.usda"
    assert layer.startswith("#usda 1.0")
    assert sorted(assets) == sorted(
        ["textures/diffuse.png", "textures/metallic_roughness.png", "textures/normal.png"]
    )
    assert set(assets) <= set(names)
    assert 'info:id = "UsdPreviewSurface"' in layer
    assert "rel material:binding" in layer


def test_the_layer_holds_the_mesh_with_its_quads_points_normals_and_uvs() -> None:
    mesh = grid(5, 4, pbr_material())

    layer = _layer(write_usdz(mesh))

    counts = re.search(r"int\[\] faceVertexCounts = \[([^\]]*)\]", layer)
    points = re.search(r"point3f\[\] points = \[([^\]]*)\]", layer)
    st = re.search(r"texCoord2f\[\] primvars:st = \[([^\]]*)\]", layer)
    normals = re.search(r"normal3f\[\] normals = \[([^\]]*)\]", layer)
    assert counts
    assert points
    assert st
    assert normals
    assert counts.group(1).split(", ") == ["4"] * mesh.face_count
    assert points.group(1).count("(") == mesh.vertex_count
    assert st.group(1).count("(") == mesh.vertex_count
    assert normals.group(1).count("(") == mesh.vertex_count


def test_an_unlit_material_packs_only_its_base_colour() -> None:
    archive = write_usdz(grid(2, 2, Material(name="baked", base_color_png=png(4, 4), unlit=True)))

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.namelist()[1:] == ["textures/diffuse.png"]


def test_a_mesh_without_material_has_no_binding_and_no_textures() -> None:
    archive = write_usdz(grid(2, 2))

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert len(z.namelist()) == 1
    assert "material:binding" not in _layer(archive)


def test_the_same_mesh_always_gives_the_same_package() -> None:
    assert write_usdz(grid(3, 3, pbr_material())) == write_usdz(grid(3, 3, pbr_material()))
