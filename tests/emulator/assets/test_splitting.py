"""The BANG split rule: k-means parts that together hold exactly the source's triangles."""

from __future__ import annotations

import numpy as np
import pytest

from rodin_mcp.emulator.assets.splitting import split_files, split_parts
from rodin_mcp.model import read_glb
from rodin_mcp.model.mesh import Mesh
from tests.emulator.assets.requests import request
from tests.emulator.helpers import glb_document
from tests.model.meshes import grid, pbr_material


@pytest.mark.parametrize("count", [2, 5, 12])
def test_parts_hold_every_triangle_once_with_unchanged_vertices(count: int) -> None:
    mesh = grid(20, 12, pbr_material())

    parts = split_parts(mesh, count)

    assert len(parts) == count
    assert sum(part.triangle_count for part in parts) == mesh.triangle_count
    assert [part.name for part in parts] == [f"part_{n:02d}" for n in range(1, count + 1)]
    assert all(part.material is mesh.material for part in parts)
    whole = _corner_set(mesh)
    pieces = set[tuple[float, ...]]().union(*(_corner_set(part) for part in parts))
    assert pieces == whole


def _corner_set(mesh: Mesh) -> set[tuple[float, ...]]:
    """Each triangle as the rounded coordinates of its three corners."""
    corners = np.round(mesh.positions[mesh.triangulated()].astype(np.float64), 6).reshape(-1, 9)
    return {tuple(float(v) for v in row) for row in corners}


def test_a_mesh_with_fewer_triangles_than_the_strength_gives_one_part_per_triangle() -> None:
    mesh = grid(1, 1)  # one quad: two triangles

    assert [part.triangle_count for part in split_parts(mesh, 12)] == [1, 1]


def test_the_same_source_always_splits_into_the_same_bytes() -> None:
    source = request(prompt="a robot", tier="Gen-2")

    first = split_files(source, 4, "glb", "PBR", False)
    second = split_files(source, 4, "glb", "PBR", False)

    assert [f.data for f in first] == [f.data for f in second]
    assert len(glb_document(first[0].data)["meshes"]) == 4
    assert read_glb(first[0].data).triangle_count > 0
