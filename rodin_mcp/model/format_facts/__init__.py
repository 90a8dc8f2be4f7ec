"""The facts each model file format tells, one module per format, and the helpers they share.

:func:`rodin_mcp.model.inspect_model_file` picks the reader by suffix. Every reader reports
malformed content in the facts' ``notes`` instead of raising; numpy and Pillow load inside the
functions, only when a file is read.
"""

from rodin_mcp.model.format_facts.fbx import fbx_facts
from rodin_mcp.model.format_facts.glb import glb_facts
from rodin_mcp.model.format_facts.obj import obj_facts
from rodin_mcp.model.format_facts.stl import stl_facts
from rodin_mcp.model.format_facts.usdz import usdz_facts

__all__ = ["fbx_facts", "glb_facts", "obj_facts", "stl_facts", "usdz_facts"]
