"""The MCP face's own words that its tools and texts share: tool names and check_status's waits."""

from __future__ import annotations

__all__ = [
    "CHECK_BALANCE",
    "CHECK_STATUS",
    "CONVERT_MODEL",
    "CREATE_UPLOAD",
    "GENERATE_3D",
    "GENERATE_TEXTURE",
    "INSPECT_MODEL",
    "LIST_DOWNLOADS",
    "LIST_TASKS",
    "MAX_WAIT_SECONDS",
    "SPLIT_PARTS",
    "SUGGESTED_WAIT_SECONDS",
]

GENERATE_3D = "generate_3d"
CHECK_STATUS = "check_status"
LIST_DOWNLOADS = "list_downloads"
CHECK_BALANCE = "check_balance"
LIST_TASKS = "list_tasks"
INSPECT_MODEL = "inspect_model"
CONVERT_MODEL = "convert_model"
GENERATE_TEXTURE = "generate_texture"
SPLIT_PARTS = "split_into_parts"
CREATE_UPLOAD = "create_upload"

MAX_WAIT_SECONDS = 50.0
"""The longest ``wait_seconds`` of one check_status call: hosts cut a tool call at about 60 s."""

SUGGESTED_WAIT_SECONDS = 45
"""The wait the texts suggest, under :data:`MAX_WAIT_SECONDS` with room for the answer."""
