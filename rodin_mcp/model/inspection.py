"""Inspect one model file, whatever its format, and pick a task's main model file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rodin_mcp.model.facts import ModelFacts
from rodin_mcp.model.sniffing import model_format

__all__ = [
    "MAX_READ_WHOLE_BYTES",
    "MODEL_SUFFIXES",
    "UNREADABLE_NOTE",
    "inspect_model_file",
    "main_model_file",
]

MODEL_SUFFIXES: tuple[str, ...] = (".glb", ".usdz", ".fbx", ".obj", ".stl", ".3mf")
MAX_READ_WHOLE_BYTES = 512 * 1024 * 1024
"""Largest GLB or binary STL read into memory to inspect (the others are streamed or scanned)."""
UNREADABLE_NOTE = "the content is not a GLB, OBJ, STL, FBX, USDZ or 3MF model"


def inspect_model_file(path: Path) -> ModelFacts:
    """Facts about a model file: counts, bounds, materials and textures where the format allows.

    The format is told by the content (the name's suffix only breaks no ties). Malformed or
    unsupported content is reported in ``notes``, never raised; content that is no model at all
    gives ``format="unknown"``.

    Raises:
        OSError: the file cannot be read.
    """
    found = model_format(path)
    size = path.stat().st_size
    if found is None:
        return ModelFacts(path=str(path), format="unknown", file_size=size, notes=[UNREADABLE_NOTE])
    suffix = f".{found}"
    if suffix in (".glb", ".stl") and size > MAX_READ_WHOLE_BYTES:
        return ModelFacts(
            path=str(path), format=found, file_size=size, notes=["too large to inspect"]
        )
    if suffix == ".glb":
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
    if suffix == ".3mf":
        from rodin_mcp.model.format_facts.threemf import threemf_facts

        return threemf_facts(path)
    if suffix == ".usdz":
        from rodin_mcp.model.format_facts.usdz import usdz_facts

        return usdz_facts(path)
    return ModelFacts(path=str(path), format="unknown", file_size=size, notes=[UNREADABLE_NOTE])


def main_model_file(paths: Iterable[Path]) -> Path | None:
    """The model file to summarise among a task's files: a PBR base model first, then any model."""
    models = [p for p in paths if p.suffix.lower() in MODEL_SUFFIXES]
    for path in models:
        if path.stem.startswith("base_basic_pbr"):
            return path
    return models[0] if models else None
