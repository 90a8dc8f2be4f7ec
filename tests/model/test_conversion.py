"""The conversion room on hand-made meshes: the plan and its presets, simplification, printing
checks and repair, placement. (The whole path, with independent readers of every output, is
tested through the MCP client and the command line.)"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rodin_mcp.errors import ConversionError
from rodin_mcp.model.conversion import PRESETS, plan_conversion
from rodin_mcp.model.conversion.placement import placed, y_up_to_z_up, z_up_to_y_up
from rodin_mcp.model.conversion.printability import print_report, repaired
from rodin_mcp.model.conversion.simplification import simplified
from tests.model.conversion_meshes import blue_box, blue_sphere, pyramid_on_its_tip


def test_a_preset_fills_in_what_was_not_given_and_explicit_options_win() -> None:
    plan = plan_conversion(preset="ar-quick-look", max_triangles=5000)

    assert (plan.format, plan.unit, plan.up_axis, plan.origin) == ("usdz", "cm", "y", "bottom")
    assert (plan.max_triangles, plan.max_texture_size) == (5000, 2048)
    assert all(p.why for p in PRESETS.values())


def test_the_print_preset_repairs_for_3mf_as_for_stl_unless_told_not_to() -> None:
    assert plan_conversion(preset="3d-print", format="3mf").repair is True
    assert plan_conversion(preset="3d-print", repair=False).repair is False
    assert plan_conversion(format="stl").unit == "mm"


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"format": "fbx"}, "format", "no well-kept library on PyPI writes FBX"),
        ({"format": "glb", "up_axis": "z"}, "up_axis", "always Y up"),
        ({"format": "3mf", "up_axis": "y"}, "up_axis", "always Z up"),
        ({"format": "glb", "repair": True}, "repair", "stl and 3mf outputs only"),
        ({"preset": "printer"}, "preset", "There is no preset 'printer'"),
        ({"format": "ply"}, "format", "format must be one of"),
        ({}, "format", "Say which format"),
        ({"format": "glb", "size": 0.0}, "size", "positive number"),
        ({"format": "glb", "max_triangles": 2}, "max_triangles", "at least 4"),
    ],
)
def test_a_bad_or_conflicting_option_is_refused_before_anything_is_read(
    options: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ConversionError) as caught:
        plan_conversion(**options)  # type: ignore[arg-type]

    assert caught.value.field == field
    assert words in str(caught.value)


def test_simplifying_meets_the_budget_and_keeps_every_uv_inside_the_texture() -> None:
    sphere = blue_sphere()

    smaller, notes = simplified(sphere, 2000)

    assert smaller.triangle_count <= 2000
    assert smaller.triangle_count > 1000
    assert notes == []
    assert smaller.uvs.min() >= 0.0
    assert smaller.uvs.max() <= 1.0
    radius = np.linalg.norm(smaller.positions, axis=1)
    assert radius == pytest.approx(1.0, abs=0.03)
    assert smaller.material is sphere.material


def test_a_mesh_within_the_budget_is_left_as_it_is() -> None:
    box = blue_box()

    same, notes = simplified(box, 100)

    assert same is box
    assert notes == []


def test_a_closed_box_is_watertight_stands_and_has_its_volume() -> None:
    report = print_report(blue_box(), up=1)

    assert report.watertight
    assert (report.open_edges, report.non_manifold_edges) == (0, 0)
    assert report.volume == pytest.approx(0.4 * 1.0 * 0.6, rel=1e-5)
    assert report.stands


def test_a_pyramid_on_its_tip_does_not_stand() -> None:
    report = print_report(pyramid_on_its_tip(), up=1)

    assert report.watertight
    assert not report.stands


def test_repair_closes_a_box_with_a_missing_side() -> None:
    box = blue_box()
    opened = dataclasses.replace(box, triangles=box.triangles[:-2])
    before = print_report(opened, up=1)

    closed, done, notes = repaired(opened)
    after = print_report(closed, up=1)

    assert (before.watertight, before.open_edges) == (False, 4)
    assert done
    assert "1 hole(s) closed" in notes
    assert after.watertight
    assert after.volume == pytest.approx(0.4 * 1.0 * 0.6, rel=1e-4)


def test_turning_to_z_up_and_back_is_the_identity_and_bottom_puts_it_on_the_ground() -> None:
    box = blue_box()

    there_and_back = z_up_to_y_up(y_up_to_z_up(box))
    standing = placed(box, "bottom")
    low, high = standing.bounds()

    assert there_and_back.positions == pytest.approx(box.positions, abs=1e-6)
    assert low[1] == pytest.approx(0.0, abs=1e-6)
    assert (low[0] + high[0], low[2] + high[2]) == pytest.approx((0.0, 0.0), abs=1e-6)
    up = y_up_to_z_up(standing).bounds()
    assert (up[1] - up[0])[2] == pytest.approx(1.0, abs=1e-6)
