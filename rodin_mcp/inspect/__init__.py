"""Model facts for people and models: vertex and triangle counts, size, materials and textures.

Reads GLB fully (through :mod:`rodin_mcp.formats.glb_reader`), OBJ, STL and ASCII FBX by scanning
their text, and USDZ packages for their textures and text layers. numpy and Pillow load only
when a file is inspected.
"""

from rodin_mcp.inspect.facts import BoundingBox, ModelFacts, TextureFacts
from rodin_mcp.inspect.model_file import MODEL_SUFFIXES, inspect_model_file, main_model_file

__all__ = [
    "MODEL_SUFFIXES",
    "BoundingBox",
    "ModelFacts",
    "TextureFacts",
    "inspect_model_file",
    "main_model_file",
]
