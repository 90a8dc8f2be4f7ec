"""The rasteriser: coverage, nearest-wins depth test, culling and barycentric weights."""

from __future__ import annotations

import numpy as np

from rodin_mcp.model.render.raster import rasterize


def test_a_triangle_covers_the_pixels_whose_centres_lie_inside_it() -> None:
    screen = np.array([[0.0, 0.0, 1.0], [64.0, 0.0, 1.0], [0.0, 64.0, 1.0]])

    coverage = rasterize(screen, np.array([[0, 1, 2]]), 64, 64)

    yy, xx = np.mgrid[0:64, 0:64] + 0.5
    expected = xx + yy <= 64.0
    assert np.array_equal(coverage.mask, expected)


def test_the_nearest_triangle_wins_whatever_the_drawing_order() -> None:
    near = [[0.0, 0.0, 1.0], [32.0, 0.0, 1.0], [0.0, 32.0, 1.0]]
    far = [[0.0, 0.0, 5.0], [32.0, 0.0, 5.0], [0.0, 32.0, 5.0]]

    first = rasterize(np.array(near + far), np.array([[0, 1, 2], [3, 4, 5]]), 32, 32)
    second = rasterize(np.array(far + near), np.array([[0, 1, 2], [3, 4, 5]]), 32, 32)

    assert set(np.unique(first.triangle[first.mask])) == {0}
    assert set(np.unique(second.triangle[second.mask])) == {1}


def test_depth_is_compared_per_pixel_for_intersecting_triangles() -> None:
    # Two full-screen quads' halves tilted in depth cross along x = 16.
    left_near = [[0.0, 0.0, 0.0], [32.0, 0.0, 2.0], [0.0, 32.0, 0.0]]
    left_far = [[0.0, 0.0, 2.0], [32.0, 0.0, 0.0], [0.0, 32.0, 2.0]]

    coverage = rasterize(np.array(left_near + left_far), np.array([[0, 1, 2], [3, 4, 5]]), 32, 32)

    row = coverage.triangle[4]
    assert (row[:12] == 0).all()
    assert (row[18:27] == 1).all()


def test_clockwise_triangles_are_culled_only_when_asked() -> None:
    # As seen on screen (y down): top-left, top-right, bottom-left turns clockwise.
    clockwise = np.array([[0.0, 0.0, 1.0], [16.0, 0.0, 1.0], [0.0, 16.0, 1.0]])
    counter = np.array([[0.0, 0.0, 1.0], [0.0, 16.0, 1.0], [16.0, 0.0, 1.0]])
    tri = np.array([[0, 1, 2]])

    assert rasterize(clockwise, tri, 16, 16).mask.any()
    assert not rasterize(clockwise, tri, 16, 16, cull_clockwise=True).mask.any()
    assert rasterize(counter, tri, 16, 16, cull_clockwise=True).mask.any()


def test_barycentric_weights_reproduce_the_pixel_centre() -> None:
    screen = np.array([[3.0, 2.0, 1.0], [60.0, 10.0, 1.0], [20.0, 50.0, 1.0]])

    coverage = rasterize(screen, np.array([[0, 1, 2]]), 64, 64)

    ys, xs = np.nonzero(coverage.mask)
    weights = coverage.barycentric[ys, xs]
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(weights @ screen[:, 0], xs + 0.5, atol=1e-6)
    np.testing.assert_allclose(weights @ screen[:, 1], ys + 0.5, atol=1e-6)


def test_triangles_off_screen_or_degenerate_draw_nothing() -> None:
    screen = np.array(
        [
            [-50.0, -50.0, 1.0],
            [-40.0, -50.0, 1.0],
            [-50.0, -40.0, 1.0],
            [5.0, 5.0, 1.0],
            [9.0, 9.0, 1.0],
        ]
    )

    coverage = rasterize(screen, np.array([[0, 1, 2], [3, 4, 4]]), 16, 16)

    assert not coverage.mask.any()


def test_large_and_many_small_triangles_are_all_drawn() -> None:
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 256, size=(2000, 2))
    offsets = np.array([[0.0, 0.0], [3.0, 0.5], [0.5, 3.0]])
    small = (centres[:, None, :] + offsets[None]).reshape(-1, 2)
    big = np.array([[0.0, 0.0], [256.0, 0.0], [0.0, 256.0]])
    xy = np.concatenate([small, big])
    depth = np.concatenate([np.zeros(len(small)), np.ones(3)])  # the big one is behind
    triangles = np.concatenate(
        [np.arange(len(small)).reshape(-1, 3), [[len(small), len(small) + 1, len(small) + 2]]]
    )

    coverage = rasterize(np.column_stack([xy, depth]), triangles, 256, 256)

    drawn = set(np.unique(coverage.triangle[coverage.mask]).tolist())
    assert 2000 in drawn  # the big one shows between the small ones
    assert len(drawn) > 1500  # most small ones cover at least one pixel centre


def test_the_covered_pixel_list_matches_the_per_pixel_buffers() -> None:
    screen = np.array([[3.0, 2.0, 1.0], [60.0, 10.0, 1.0], [20.0, 50.0, 2.0], [63.0, 63.0, 0.5]])

    coverage = rasterize(screen, np.array([[0, 1, 2], [1, 3, 2]]), 64, 64)

    np.testing.assert_array_equal(coverage.pixels, np.flatnonzero(coverage.mask))
    np.testing.assert_array_equal(
        coverage.barycentric.reshape(-1, 3)[coverage.pixels], coverage.weights
    )
    assert set(np.unique(coverage.triangle[coverage.mask]).tolist()) == {0, 1}
