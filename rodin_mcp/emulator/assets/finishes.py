"""Surface finishes: what a material slot looks like, and how a prompt's words change it.

A finish is a base colour plus a procedural pattern (wood grain, brushed metal, weave, ...) with
its metallic and roughness values. Shapes name their slots with default finishes; colour words
in the prompt recolour the slots in order (the first colour word the primary slot, the second
the secondary), and material words ("wooden", "golden", "marble", ...) change the primary
slot's pattern. The seed nudges hue and value so equal prompts still vary.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass, replace

import numpy as np

__all__ = ["COLOUR_WORDS", "MATERIAL_WORDS", "Finish", "prompt_words", "style_slots"]

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Finish:
    """How a slot is painted.

    Attributes:
        colour: Base colour, sRGB in [0, 1].
        pattern: Name of the procedural pattern (see ``texture_maps.PATTERNS``).
        metallic: Metallic value in [0, 1].
        roughness: Roughness value in [0, 1].
        accent: Second colour some patterns use (spots, sprinkles, grain).
    """

    colour: RGB
    pattern: str
    metallic: float = 0.0
    roughness: float = 0.6
    accent: RGB | None = None


def _hex(code: str) -> RGB:
    value = int(code.lstrip("#"), 16)
    return ((value >> 16) / 255.0, ((value >> 8) & 255) / 255.0, (value & 255) / 255.0)


COLOUR_WORDS: dict[str, RGB] = {
    "red": _hex("#c0392b"),
    "crimson": _hex("#a31621"),
    "maroon": _hex("#6d1a22"),
    "orange": _hex("#e67e22"),
    "yellow": _hex("#f1c40f"),
    "green": _hex("#3f9b4b"),
    "lime": _hex("#8bc34a"),
    "olive": _hex("#6b7a2f"),
    "blue": _hex("#2f6fd0"),
    "navy": _hex("#1f2f5c"),
    "cyan": _hex("#22b8cf"),
    "teal": _hex("#1f8a87"),
    "turquoise": _hex("#2ec4b6"),
    "purple": _hex("#7d3cb5"),
    "violet": _hex("#8e5fd8"),
    "pink": _hex("#e87ea1"),
    "magenta": _hex("#c2185b"),
    "white": _hex("#eeeeea"),
    "black": _hex("#1e1f22"),
    "gray": _hex("#8a8d91"),
    "grey": _hex("#8a8d91"),
    "brown": _hex("#7a4b2a"),
    "beige": _hex("#d9c7a3"),
    "cream": _hex("#efe6cf"),
    "gold": _hex("#d4a640"),
    "golden": _hex("#d4a640"),
    "silver": _hex("#c4c8cc"),
}

# Material word -> (pattern, metallic, roughness, colour or None to keep the slot's colour).
MATERIAL_WORDS: dict[str, tuple[str, float, float, RGB | None]] = {
    "wood": ("wood", 0.0, 0.65, _hex("#9a6a3c")),
    "wooden": ("wood", 0.0, 0.65, _hex("#9a6a3c")),
    "oak": ("wood", 0.0, 0.65, _hex("#a57a45")),
    "walnut": ("wood", 0.0, 0.6, _hex("#5e3b22")),
    "metal": ("metal", 1.0, 0.32, _hex("#a7abb0")),
    "metallic": ("metal", 1.0, 0.3, None),
    "steel": ("metal", 1.0, 0.3, _hex("#9da3a8")),
    "iron": ("metal", 1.0, 0.45, _hex("#6f7377")),
    "chrome": ("metal", 1.0, 0.12, _hex("#d6d9dc")),
    "aluminium": ("metal", 1.0, 0.35, _hex("#c3c7cb")),
    "aluminum": ("metal", 1.0, 0.35, _hex("#c3c7cb")),
    "gold": ("metal", 1.0, 0.25, _hex("#d4a640")),
    "golden": ("metal", 1.0, 0.25, _hex("#d4a640")),
    "silver": ("metal", 1.0, 0.2, _hex("#c4c8cc")),
    "copper": ("metal", 1.0, 0.3, _hex("#b8734a")),
    "bronze": ("metal", 1.0, 0.4, _hex("#8c6a3f")),
    "brass": ("metal", 1.0, 0.3, _hex("#c2a14d")),
    "stone": ("stone", 0.0, 0.88, _hex("#8d8a84")),
    "marble": ("stone", 0.0, 0.3, _hex("#e4e1dc")),
    "granite": ("stone", 0.0, 0.7, _hex("#77736f")),
    "concrete": ("stone", 0.0, 0.92, _hex("#9b9a96")),
    "plastic": ("plastic", 0.0, 0.4, None),
    "glass": ("glass", 0.0, 0.06, _hex("#cfe6ee")),
    "crystal": ("glass", 0.0, 0.04, _hex("#d8eef6")),
    "leather": ("leather", 0.0, 0.55, _hex("#6b3f24")),
    "fabric": ("fabric", 0.0, 0.92, None),
    "velvet": ("fabric", 0.0, 0.95, None),
    "cloth": ("fabric", 0.0, 0.92, None),
    "wool": ("fabric", 0.0, 0.96, None),
    "ceramic": ("ceramic", 0.0, 0.22, None),
    "porcelain": ("ceramic", 0.0, 0.18, _hex("#f1f1ee")),
    "clay": ("ceramic", 0.0, 0.8, _hex("#b46a45")),
    "rubber": ("rubber", 0.0, 0.92, _hex("#2a2a2c")),
}


def prompt_words(prompt: str) -> list[str]:
    """Lower-case words of a prompt, in order."""
    return re.findall(r"[a-z]+", prompt.lower())


def _jitter(colour: RGB, rng: np.random.Generator) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*colour)
    h = (h + rng.uniform(-0.025, 0.025)) % 1.0
    s = float(np.clip(s * rng.uniform(0.88, 1.1), 0.0, 1.0))
    v = float(np.clip(v * rng.uniform(0.9, 1.08), 0.0, 1.0))
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (r, g, b)


def style_slots(
    slots: dict[str, Finish], prompt: str, rng: np.random.Generator
) -> dict[str, Finish]:
    """Apply the prompt's colour and material words and the seed's jitter to a shape's slots.

    Args:
        slots: The shape's slots in priority order (primary first) with default finishes.
        prompt: The generation prompt.
        rng: The request's random generator.

    Returns:
        The slots with their final finishes, in the same order.
    """
    words = prompt_words(prompt)
    colours = [COLOUR_WORDS[w] for w in words if w in COLOUR_WORDS]
    material = next((MATERIAL_WORDS[w] for w in words if w in MATERIAL_WORDS), None)
    names = list(slots)
    styled: dict[str, Finish] = {}
    for index, name in enumerate(names):
        finish = slots[name]
        if index == 0 and material is not None:
            pattern, metallic, roughness, colour = material
            finish = replace(
                finish,
                pattern=pattern,
                metallic=metallic,
                roughness=roughness,
                colour=colour or finish.colour,
            )
        if index < len(colours) and finish.pattern not in ("glass", "glow"):
            finish = replace(finish, colour=colours[index])
        styled[name] = replace(finish, colour=_jitter(finish.colour, rng))
    return styled
