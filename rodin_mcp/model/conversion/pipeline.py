"""One conversion, start to finish, in memory: read, simplify, fit textures, repair, scale,
place, turn, check and write.

The order matters: the size is measured after simplifying and repairing (both move the
surface a little), and the printability is checked on the mesh exactly as written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from rodin_mcp.errors import ConversionError
from rodin_mcp.model.conversion.placement import extent_along, placed, scaled, y_up_to_z_up
from rodin_mcp.model.conversion.plan import UNIT_METRES, ConversionPlan
from rodin_mcp.model.conversion.printability import PrintReport, print_report, repaired
from rodin_mcp.model.conversion.reading import read_source
from rodin_mcp.model.conversion.simplification import simplified
from rodin_mcp.model.conversion.textures import fitted_material
from rodin_mcp.model.conversion.writing import written_files
from rodin_mcp.model.mesh import Mesh

__all__ = ["Converted", "convert_model_file"]


@dataclass(frozen=True)
class Converted:
    """What a conversion made.

    Attributes:
        files: File name -> content, the model file first.
        shown: The converted mesh, +Y up in metres, for a contact sheet.
        triangles_before: Triangles of the source model.
        scale: The factor from the source's coordinates to the file's.
        printability: The printability report (printing formats only).
        notes: What was approximated or left out, and why.
    """

    files: dict[str, bytes]
    shown: Mesh
    triangles_before: int
    scale: float
    printability: PrintReport | None = None
    notes: list[str] = field(default_factory=list[str])


def convert_model_file(path: Path, fmt: str, plan: ConversionPlan, stem: str) -> Converted:
    """Convert the model in ``path`` (content ``fmt``) as ``plan`` says; names from ``stem``.

    Raises:
        ConversionError: the model cannot be read or converted as asked.
        ConverterMissingError: a library the conversion needs is not installed.
        OSError: the file cannot be read.
    """
    source = read_source(path, fmt)
    mesh = source.mesh
    notes: list[str] = []
    if plan.max_triangles is not None:
        mesh, more = simplified(mesh, plan.max_triangles)
        notes += more
    if plan.is_print:
        mesh = dataclasses.replace(mesh, material=None)
    elif mesh.material is not None:
        material, more = fitted_material(mesh.material, plan.max_texture_size)
        mesh = dataclasses.replace(mesh, material=material)
        notes += more
    was_repaired: bool | None = None
    if plan.repair:
        mesh, was_repaired, more = repaired(mesh)
        notes += more
    file_metres = UNIT_METRES[plan.file_unit]
    source_metres = source.metres_per_unit
    if source_metres is None:
        source_metres = file_metres
        notes.append(f"the source file states no unit; its numbers were taken as {plan.file_unit}")
    factor = source_metres
    mesh = scaled(mesh, source_metres)
    if plan.size is not None:
        extent = extent_along(mesh, plan.along)
        if not extent > 0:
            raise ConversionError(
                f"The model has no {plan.along} to scale (it is flat that way).", field="along"
            )
        wanted = plan.size * UNIT_METRES[plan.unit] / extent
        mesh = scaled(mesh, wanted)
        factor *= wanted
    mesh = placed(mesh, plan.origin)
    in_file = scaled(mesh, 1.0 / file_metres)
    if plan.up_axis == "z":
        in_file = y_up_to_z_up(in_file)
    report = None
    if plan.is_print:
        report = print_report(in_file, up=2 if plan.up_axis == "z" else 1)
        report.repaired = was_repaired
    files = written_files(
        in_file,
        plan.format,
        stem,
        unit=plan.file_unit,
        up_axis=plan.up_axis,
        metres_per_unit=file_metres,
    )
    return Converted(
        files=files,
        shown=mesh,
        triangles_before=source.mesh.triangle_count,
        scale=factor / file_metres,
        printability=report,
        notes=notes,
    )
