"""Hostile model files: lying lengths, huge counts and zip bombs are refused within bounded memory.

Memory is measured with tracemalloc, which sees Python's and numpy's allocations; each file
below would need hundreds of megabytes (or more) if its claims were believed.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.model import ModelFacts, inspect_model_file
from tests.model.glb_bytes import glb_chunks, repack_glb
from tests.model.test_inspection import box_mesh

MIB = 1024 * 1024
MEMORY_CEILING = 16 * MIB


def inspected_within_memory(path: Path) -> ModelFacts:
    tracemalloc.start()
    try:
        facts = inspect_model_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_CEILING, f"peak {peak / MIB:.1f} MiB"
    return facts


def _glb_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc, binary = glb_chunks(write_glb(box_mesh()))
    change(doc)
    return repack_glb(doc, binary)


def test_an_accessor_claiming_a_billion_vertices_is_refused_in_notes(tmp_path: Path) -> None:
    def huge_count(doc: dict[str, Any]) -> None:
        for accessor in doc["accessors"]:
            accessor["count"] = 1_000_000_000

    path = tmp_path / "huge.glb"
    path.write_bytes(_glb_with(huge_count))

    facts = inspected_within_memory(path)

    assert facts.vertex_count is None
    assert any("geometry could not be read" in note for note in facts.notes)


def test_a_glb_whose_json_chunk_claims_more_bytes_than_the_file_holds_is_refused(
    tmp_path: Path,
) -> None:
    glb = bytearray(write_glb(box_mesh()))
    struct.pack_into("<I", glb, 12, 0x7FFFFFF0)
    path = tmp_path / "lying.glb"
    path.write_bytes(bytes(glb))

    facts = inspected_within_memory(path)

    assert facts.vertex_count is None
    assert facts.notes == ["the GLB's JSON chunk is missing or cut short"]


def test_a_usdz_whose_layer_inflates_past_the_scan_limit_is_not_inflated(tmp_path: Path) -> None:
    path = tmp_path / "bomb.usdz"
    line = b'#usda 1.0\n(upAxis = "Y")\n' + b" " * (MIB - 27)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as package,
        package.open("model.usda", "w", force_zip64=True) as layer,
    ):
        for _ in range(80):
            layer.write(line)

    assert path.stat().st_size < MIB
    facts = inspected_within_memory(path)

    assert facts.vertex_count is None
    assert facts.notes == ["the root layer is too large to scan; geometry is not read"]


def test_a_layer_that_inflates_far_past_its_compressed_size_is_taken_for_a_zip_bomb(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ratio.usdz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("model.usda", b"#usda 1.0\n" + b" " * (8 * MIB))

    facts = inspected_within_memory(path)

    assert any("zip bomb" in note for note in facts.notes)


def test_a_binary_stl_whose_count_does_not_match_its_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lying.stl"
    path.write_bytes(b"\0" * 80 + (50_000_000).to_bytes(4, "little") + b"\0" * 500)

    facts = inspected_within_memory(path)

    assert facts.format == "unknown"
    assert facts.triangle_count is None


def test_a_zip_that_is_not_a_usd_package_is_not_taken_for_a_model(tmp_path: Path) -> None:
    path = tmp_path / "archive.usdz"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("readme.txt", "hello")

    facts = inspected_within_memory(path)

    assert facts.format == "unknown"


def test_an_obj_with_one_enormous_face_line_is_scanned_without_holding_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wide.obj"
    with path.open("w") as text:
        text.write("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
        for _ in range(200_000):
            text.write("f 1 2 3\n")

    facts = inspected_within_memory(path)

    assert (facts.vertex_count, facts.triangle_count) == (3, 200_000)


def test_a_text_file_of_blank_lines_is_classified_at_once(tmp_path: Path) -> None:
    path = tmp_path / "blank.obj"
    path.write_bytes(b"\n" * 60_000 + b"v 0 0 0\n")
    code = (
        "import sys; from pathlib import Path; from rodin_mcp.model import inspect_model_file; "
        "print(inspect_model_file(Path(sys.argv[1])).format)"
    )

    # A hang guard, not a timing goal: the quadratic scan took 90 s on this file.
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=30
    )

    assert done.stdout.strip() == "obj", done.stderr
