"""Load a model file with trimesh (an independent reader), typed for the tests."""

from __future__ import annotations

from pathlib import Path

import trimesh
from trimesh.visual.texture import TextureVisuals


def load_mesh(path: Path, *, process: bool = False) -> trimesh.Trimesh:
    """The single mesh trimesh reads from ``path`` (fails the test if it reads anything else)."""
    loaded: object = trimesh.load(str(path), process=process)  # pyright: ignore[reportUnknownMemberType]
    assert isinstance(loaded, trimesh.Trimesh), type(loaded)
    return loaded


def has_texture(mesh: trimesh.Trimesh) -> bool:
    """Whether trimesh found UVs and a material with an image for the mesh."""
    visual: object = mesh.visual
    if not isinstance(visual, TextureVisuals):
        return False
    material: object = visual.material  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return material is not None
