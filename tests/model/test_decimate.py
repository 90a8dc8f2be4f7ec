"""Vertex-clustering decimation: the cap holds, the shape and the texture seams survive."""

from __future__ import annotations

import numpy as np
import pytest

from rodin_mcp.model.decimate import cluster_decimate
from tests.model.meshes import grid, uv_sphere


@pytest.mark.parametrize("cap", [20_000, 5000, 300])
def test_the_triangle_count_fits_the_cap_without_emptying_the_mesh(cap: int) -> None:
    decimated = cluster_decimate(uv_sphere(100, 200), cap)

    assert cap / 5 < decimated.triangle_count <= cap


def test_every_vertex_stays_near_the_surface() -> None:
    decimated = cluster_decimate(uv_sphere(100, 200), 5000)

    radii = np.linalg.norm(decimated.positions, axis=1)
    assert np.abs(radii - 1.0).max() < 0.05
    np.testing.assert_allclose(np.linalg.norm(decimated.normals, axis=1), 1.0, atol=1e-5)


def test_no_triangle_stretches_across_a_texture_seam() -> None:
    # The sphere's UVs jump from u = 1 back to u = 0 along one meridian.
    decimated = cluster_decimate(uv_sphere(100, 200), 5000)

    u = decimated.uvs[decimated.triangles.astype(np.int64), 0]
    assert (u.max(axis=1) - u.min(axis=1)).max() < 0.25


def test_a_mesh_within_the_cap_comes_back_unchanged() -> None:
    patch = grid(4, 4)

    assert cluster_decimate(patch, patch.triangle_count) is patch


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cluster_decimate(grid(2, 2), 0)
