"""The optional libraries a conversion uses, imported on first use with a clear error when missing.

They are the ``convert`` extra (see ``pyproject.toml``), so that installing rodin-mcp without it
stays small and works on every platform; nothing imports them at start-up.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from rodin_mcp.errors import ConverterMissingError

__all__ = ["optional_module"]

_PACKAGES = {
    "trimesh": "trimesh",
    "fast_simplification": "fast-simplification",
    "manifold3d": "manifold3d",
    "lib3mf": "lib3mf",
    "pxr": "usd-core",
}


def optional_module(name: str, what: str) -> ModuleType:
    """The module ``name`` (one of the conversion's libraries), imported now.

    Raises:
        ConverterMissingError: it is not installed; ``what`` says what needed it.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ConverterMissingError(what, _PACKAGES.get(name.split(".")[0], name)) from None
