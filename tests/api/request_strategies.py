"""Hypothesis strategies for generation requests that follow every documented rule."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["GEN1", "GEN25", "TIERS", "override_range", "valid_requests"]

GEN1 = ["Sketch", "Regular", "Detail", "Smooth"]
GEN25 = [
    "Gen-2.5-Extreme-Low",
    "Gen-2.5-Low",
    "Gen-2.5-Medium",
    "Gen-2.5-High",
    "Gen-2.5-Extreme-High",
]
TIERS = [*GEN1, "Gen-2", *GEN25]


def override_range(tier: str, mesh_mode: str) -> tuple[int, int]:
    """The documented face-count ranges, written out independently of the code under test."""
    table = {
        ("gen1", "Quad"): (2_000, 200_000),
        ("gen1", "Raw"): (500, 1_000_000),
        ("gen2", "Quad"): (1_000, 200_000),
        ("gen2", "Raw"): (500, 1_000_000),
        ("gen2.5", "Quad"): (1_000, 200_000),
        ("gen2.5", "Raw"): (500, 1_000_000),
    }
    if tier in ("Gen-2.5-High", "Gen-2.5-Extreme-High") and mesh_mode == "Raw":
        return (20_000, 2_000_000)
    family = "gen1" if tier in GEN1 else "gen2" if tier == "Gen-2" else "gen2.5"
    return table[(family, mesh_mode)]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def valid_requests(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """Keyword arguments of a request that follows every documented rule, and its image count."""
    tier = draw(st.sampled_from(TIERS))
    images = draw(st.integers(0, 5))
    text = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")
    prompt = draw(text) if images == 0 else draw(maybe(text))
    args: dict[str, Any] = {"tier": tier, "prompt": prompt}
    args["seed"] = draw(maybe(st.integers(0, 65535)))
    args["bbox_condition"] = draw(maybe(st.tuples(*[st.integers(1, 2048)] * 3)))
    args["ta_pose"] = draw(st.booleans())
    args["use_original_alpha"] = draw(st.booleans())
    args["condition_mode"] = draw(maybe(st.sampled_from(["concat", "fuse"])))
    if tier == "Sketch":
        args["quality"] = draw(st.sampled_from([None, "medium"]))
        return args, images
    mesh_mode = draw(st.sampled_from([None, "Quad", "Raw"]))
    effective = mesh_mode or ("Raw" if tier in GEN25 else "Quad")
    args["mesh_mode"] = mesh_mode
    args["geometry_file_format"] = draw(st.sampled_from(["glb", "usdz", "fbx", "obj", "stl"]))
    args["material"] = draw(st.sampled_from(["PBR", "Shaded", "All", "None"]))
    qualities = ["high", "medium", "low", "extra-low"]
    if tier in GEN1 and effective == "Raw":
        qualities = ["medium"]
    args["quality"] = draw(maybe(st.sampled_from(qualities)))
    low, high = override_range(tier, effective)
    args["quality_override"] = draw(maybe(st.integers(low, high)))
    args["high_pack"] = effective == "Quad" and draw(st.booleans())
    if tier in GEN1:
        key = "mesh_simplify" if effective == "Raw" else "mesh_smooth"
        args[key] = draw(maybe(st.booleans()))
        return args, images
    args["preview_render"] = draw(st.booleans())
    args["hd_texture"] = draw(st.booleans())
    args["height"] = draw(maybe(st.integers(1, 100_000)))
    if tier in GEN25:
        args["texture_delight"] = draw(st.booleans())
        args["texture_mode"] = draw(
            maybe(st.sampled_from(["legacy", "extreme-low", "low", "medium", "high"]))
        )
        modes = ["faithful", "creative"] if tier in GEN25[2:] else ["faithful"]
        args["geometry_instruct_mode"] = draw(maybe(st.sampled_from(modes)))
        args["is_micro"] = tier == "Gen-2.5-Extreme-High" and draw(st.booleans())
        labels = st.sampled_from(["F", "FL", "FR", "L", "R", "B", "BL", "BR", "U", "D", "?"])
        args["image_label"] = draw(maybe(st.lists(labels, max_size=images)))
        args["is_symmetric"] = draw(
            maybe(st.sampled_from(["symmetric", "balanced", "asymmetric", "unknown"]))
        )
    return args, images
