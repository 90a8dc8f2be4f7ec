"""The people's commands by name, with their one-line help (no imports, so the stdio server's
start-up can list them without loading them)."""

from __future__ import annotations

__all__ = ["PEOPLE_COMMANDS"]

PEOPLE_COMMANDS: dict[str, str] = {
    "demo": "try the whole product in the sandbox: generate, wait, download, inspect",
    "generate": "submit a generation (add --wait to wait and download)",
    "texture": "give a 3D model new textures from one image (add --wait to wait and download)",
    "split": "split a finished Gen-2 model into parts (add --wait to wait and download)",
    "status": "show where a task stands (add --wait to wait until it finishes)",
    "download": "download a finished task's files",
    "inspect": "show facts about a 3D model file (counts, dimensions, materials, textures)",
    "convert": "convert a 3D model to another format, size or triangle budget (free, local)",
    "tasks": "list recent tasks from the local ledger",
    "balance": "show the account's credit balance",
    "config": "show the effective settings and where each comes from",
}
