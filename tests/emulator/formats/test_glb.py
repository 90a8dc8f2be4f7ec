"""The GLB writer: validity against the Khronos validator, index width, determinism."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rodin_mcp.emulator.formats.glb import write_glb, write_glb_meshes
from rodin_mcp.model.glb_reader import read_glb
from rodin_mcp.model.mesh import Material
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.model.glb_bytes import glb_chunks
from tests.model.meshes import grid, pbr_material, png


def test_written_glbs_pass_the_khronos_validator_without_errors_or_warnings(tmp_path: Path) -> None:
    meshes = {
        "pbr.glb": grid(6, 4, pbr_material()),
        "unlit.glb": grid(5, 5, Material(name="baked", base_color_png=png(4, 4), unlit=True)),
        "untextured.glb": grid(3, 2),
        "colour_only.glb": grid(
            3, 3, Material(name="plain", base_color_factor=(0.2, 0.4, 0.6, 1.0))
        ),
        "triangles.glb": grid(4, 4, pbr_material(5), quads=False),
        "uint32_indices.glb": grid(300, 230, pbr_material(7)),
    }
    for name, mesh in meshes.items():
        (tmp_path / name).write_bytes(write_glb(mesh))

    reports = validate_glbs([tmp_path / name for name in meshes])

    assert set(reports) == set(meshes)
    for name, report in reports.items():
        assert counts(report) == (0, 0), f"{name}:\n{issue_summary(report)}"
        assert report["info"]["totalTriangleCount"] == meshes[name].triangle_count


def test_large_meshes_switch_to_32_bit_indices() -> None:
    small, large = grid(10, 10), grid(300, 230)

    small_doc, _ = glb_chunks(write_glb(small))
    large_doc, _ = glb_chunks(write_glb(large))

    assert small_doc["accessors"][3]["componentType"] == 5123
    assert large_doc["accessors"][3]["componentType"] == 5125
    assert read_glb(write_glb(large)).triangle_count == large.triangle_count


def test_the_same_mesh_always_gives_the_same_bytes() -> None:
    assert write_glb(grid(7, 3, pbr_material())) == write_glb(grid(7, 3, pbr_material()))


def test_a_mesh_without_faces_is_refused() -> None:
    empty = replace(grid(1, 1), quads=np.zeros((0, 4), dtype=np.uint32))

    with pytest.raises(ValueError, match="at least one face"):
        write_glb(empty)


def test_several_meshes_become_one_named_node_each_sharing_one_material(tmp_path: Path) -> None:
    material = pbr_material(3)
    parts = [replace(grid(3 + i, 2, material), name=f"part_{i}") for i in range(3)]
    path = tmp_path / "parts.glb"
    path.write_bytes(write_glb_meshes(parts))

    report = validate_glbs([path])["parts.glb"]
    document = glb_chunks(path.read_bytes())[0]

    assert counts(report) == (0, 0), issue_summary(report)
    assert report["info"]["totalTriangleCount"] == sum(p.triangle_count for p in parts)
    assert [n["name"] for n in document["nodes"]] == ["part_0", "part_1", "part_2"]
    assert document["scenes"][0]["nodes"] == [0, 1, 2]
    assert len(document["materials"]) == 1
    assert len(document["images"]) == 3  # base colour, metallic-roughness, normal: once


def test_one_mesh_in_a_list_gives_the_bytes_of_the_single_mesh_writer() -> None:
    mesh = grid(4, 3, pbr_material())

    assert write_glb_meshes([mesh]) == write_glb(mesh)


def test_an_empty_mesh_list_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one mesh"):
        write_glb_meshes([])
