"""Every kind of request gives a GLB the Khronos glTF Validator accepts without errors."""

from __future__ import annotations

from pathlib import Path

from rodin_mcp.emulator.assets import AssetRequest, generate_files
from rodin_mcp.emulator.assets.retexture import RetextureRequest, retexture_files
from rodin_mcp.emulator.assets.shapes import SHAPES
from rodin_mcp.emulator.assets.splitting import split_files
from tests.emulator.assets.requests import photo, request
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.emulator.models import obj_model


def _spread() -> dict[str, AssetRequest]:
    cases: dict[str, AssetRequest] = {}
    for kind, (_, words) in SHAPES.items():
        cases[f"noun-{kind}"] = request(prompt=f"a {words[0]}", seed=len(cases) * 977 % 65536)
    for tier in ("Sketch", "Regular", "Detail", "Gen-2", "Gen-2.5-Low", "Gen-2.5-High"):
        cases[f"tier-{tier}"] = request(prompt="a red car", tier=tier)
    for material in ("PBR", "Shaded", "All", "None"):
        cases[f"material-{material}"] = request(prompt="a tree", material=material)
    cases["raw"] = request(prompt="a robot", mesh_mode="Raw", target_faces=20000)
    cases["highpack"] = request(prompt="a lamp", material="All", high_pack=True)
    cases["bbox"] = request(prompt="a sofa", bbox=(40, 120, 300))
    cases["image"] = request(prompt="", image=photo())
    cases["image-alpha-shaded"] = request(prompt="a vase", image=photo(alpha=True), material="All")
    cases["image-jpeg"] = request(prompt="a mug", image=photo(fmt="JPEG"))
    for seed in (0, 1, 65535):
        cases[f"seed-{seed}"] = request(prompt="a golden sword", seed=seed)
    cases["tiny-target"] = request(prompt="a house", target_faces=10)
    cases["unknown-noun"] = request(prompt="a glowing quantum flux capacitor")
    return cases


def test_glbs_of_a_wide_spread_of_requests_pass_the_validator_with_no_errors_or_warnings(
    tmp_path: Path,
) -> None:
    paths: list[Path] = []
    for case, req in _spread().items():
        for file in generate_files(req):
            if file.name.endswith(".glb"):
                path = tmp_path / f"{case}--{file.name}"
                path.write_bytes(file.data)
                paths.append(path)

    reports = validate_glbs(paths)

    assert len(reports) == len(paths) >= 40
    failures = {name: issue_summary(r) for name, r in reports.items() if counts(r) != (0, 0)}
    assert not failures, failures
    for name, report in reports.items():
        info = report["info"]
        assert info["totalTriangleCount"] > 0, name
        if "material-None" not in name:
            assert info["hasTextures"], name


def test_retextured_and_split_glbs_of_every_material_pass_the_validator_cleanly(
    tmp_path: Path,
) -> None:
    paths: list[Path] = []
    model = generate_files(request(prompt="a lamp", target_faces=1500))[0].data
    for material in ("PBR", "Shaded"):
        for source, fmt in ((model, "glb"), (obj_model(), "obj")):
            job = RetextureRequest(photo(), source, fmt, "a green lamp", "glb", material, False)
            paths.append(tmp_path / f"retexture-{material}-{fmt}.glb")
            paths[-1].write_bytes(retexture_files(job)[0].data)
    for material in ("PBR", "Shaded", "None", "All"):
        for file in split_files(request(prompt="a car", tier="Gen-2"), 6, "glb", material, False):
            if file.name.endswith(".glb"):
                paths.append(tmp_path / f"split-{material}-{file.name}")
                paths[-1].write_bytes(file.data)

    reports = validate_glbs(paths)

    assert len(reports) == 9
    failures = {name: issue_summary(r) for name, r in reports.items() if counts(r) != (0, 0)}
    assert not failures, failures
