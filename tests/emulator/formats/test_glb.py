"""The GLB writer: validity against the Khronos validator, index width, determinism."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rodin_mcp.emulator.formats.glb import write_glb
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
