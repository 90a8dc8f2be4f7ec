"""Converting a model file to another format, size, orientation or triangle budget.

- **Plan** (:mod:`.plan`): the options checked once, and the presets that fill them in; no mesh
  library needed.
- **Pipeline** (:mod:`.pipeline`): :func:`convert_model_file` reads the model
  (:mod:`.reading`, :mod:`.usd_reading`), simplifies it (:mod:`.simplification`), fits its
  textures (:mod:`.textures`), closes it for printing (:mod:`.printability`), scales, places and
  turns it (:mod:`.placement`) and writes the files in memory (:mod:`.writing`,
  :mod:`.usd_writing`).

The mesh libraries (trimesh, fast-simplification, manifold3d, lib3mf, usd-core) are the
``convert`` extra, imported on first use (:mod:`.libraries`); a missing one raises
:class:`~rodin_mcp.errors.ConverterMissingError`.
"""

from rodin_mcp.model.conversion.plan import (
    FORMATS,
    PRESETS,
    PRINT_FORMATS,
    UNITS,
    Along,
    ConversionPlan,
    Origin,
    Preset,
    PresetName,
    TargetFormat,
    Unit,
    UpAxis,
    plan_conversion,
)

__all__ = [
    "FORMATS",
    "PRESETS",
    "PRINT_FORMATS",
    "UNITS",
    "Along",
    "ConversionPlan",
    "Origin",
    "Preset",
    "PresetName",
    "TargetFormat",
    "Unit",
    "UpAxis",
    "plan_conversion",
]
