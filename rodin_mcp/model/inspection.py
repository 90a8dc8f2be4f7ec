"""Inspect one model file, whatever its format, and pick a task's main model file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rodin_mcp.model.facts import ModelFacts

__all__ = ["MODEL_SUFFIXES", "inspect_model_file", "main_model_file"]

MODEL_SUFFIXES: tuple[str, ...] = (".glb", ".usdz", ".fbx", ".obj", ".stl")
_MAX_GLB_BYTES = 1024 * 1024 * 1024  # the GLB reader holds the whole file in memory


def inspect_model_file(path: Path) -> ModelFacts:
    """Facts about a model file: counts, bounds, materials and textures where the format allows.

    Malformed or unsupported content is reported in ``notes``, never raised.

    Raises:
        OSError: the file cannot be read.
    """
    suffix = path.suffix.lower()
    if suffix == ".glb":
        size = path.stat().st_size
        if size > _MAX_GLB_BYTES:
            return ModelFacts(
                path=str(path), format="glb", file_size=size, notes=["too large to inspect"]
            )
        from rodin_mcp.model.format_facts.glb import glb_facts

        return glb_facts(str(path), path.read_bytes())
    if suffix == ".obj":
        from rodin_mcp.model.format_facts.obj import obj_facts

        return obj_facts(path)
    if suffix == ".stl":
        from rodin_mcp.model.format_facts.stl import stl_facts

        return stl_facts(path)
    if suffix == ".fbx":
        from rodin_mcp.model.format_facts.fbx import fbx_facts

        return fbx_facts(path)
    if suffix == ".usdz":
        from rodin_mcp.model.format_facts.usdz import usdz_facts

        return usdz_facts(path)
    return ModelFacts(
        path=str(path),
        format="unknown",
        file_size=path.stat().st_size,
        notes=[f"{suffix or 'this'} files are not inspected"],
    )


def main_model_file(paths: Iterable[Path]) -> Path | None:
    """The model file to summarise among a task's files: a PBR base model first, then any model."""
    models = [p for p in paths if p.suffix.lower() in MODEL_SUFFIXES]
    for path in models:
        if path.stem.startswith("base_basic_pbr"):
            return path
    return models[0] if models else None
