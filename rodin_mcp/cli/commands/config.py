"""``rodin-mcp config``: the effective settings, secrets hidden, with where each came from."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.output import Output
from rodin_mcp.cli.settings_sources import describe_settings, load_settings
from rodin_mcp.cli.views import show_config
from rodin_mcp.service import LEDGER_FILE
from rodin_mcp.settings import Settings

__all__ = ["run_config"]


def _mode(settings: Settings) -> str:
    if settings.sandbox:
        return "sandbox: the embedded emulator (no key, no real credits)"
    if settings.has_key():
        return f"real Rodin API at {settings.base_url}"
    return "not configured: set RODIN_API_KEY, or pass --sandbox to try the emulator"


def _viewer() -> str:
    """Whether the MCP Apps viewer was built into this install, found without importing the
    MCP face (its file: ``rodin_mcp.server.viewer.VIEWER_BUNDLE``)."""
    spec = find_spec("rodin_mcp.server")
    folders = spec.submodule_search_locations if spec is not None else None
    built = any((Path(f) / "viewer_dist" / "viewer.html").is_file() for f in folders or [])
    return "built" if built else "not built: install Node and rebuild"


def run_config(output: Output, arguments: Mapping[str, Any]) -> int:
    """Print the settings table (or its JSON form).

    Raises:
        ConfigError: a setting is invalid.
    """
    settings = load_settings(arguments)
    values = describe_settings(settings, arguments)
    mode = _mode(settings)
    ledger = str(settings.data_dir / LEDGER_FILE)
    viewer = _viewer()
    if output.json_mode:
        output.json(
            {
                "mode": mode,
                "ledger": ledger,
                "viewer": viewer,
                "settings": [v.as_json() for v in values],
            }
        )
    else:
        show_config(output, values, [f"Mode:   {mode}", f"Ledger: {ledger}", f"Viewer: {viewer}"])
    return EXIT_OK
