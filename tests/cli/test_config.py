"""`rodin-mcp config`: effective settings, where each came from, and secrets kept hidden."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run_cli
from tests.server.viewer_bundle import require_viewer


def by_name(document: dict[str, object]) -> dict[str, dict[str, object]]:
    settings = document["settings"]
    assert isinstance(settings, list)
    return {str(s["name"]): s for s in settings}  # pyright: ignore[reportUnknownVariableType,reportUnknownArgumentType]


def test_config_says_where_each_value_comes_from(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**sandbox_env, "RODIN_MAX_CREDITS": "3"}

    run = run_cli(["config", "--sandbox", "--json"], env)

    assert run.code == 0, run.stderr
    settings = by_name(run.json())
    assert settings["sandbox"] == {**settings["sandbox"], "value": True, "source": "argument"}
    assert settings["max_credits"]["value"] == 3.0
    assert settings["max_credits"]["source"] == "environment"
    assert settings["output_dir"]["value"] == str(tmp_path / "output")
    assert settings["output_dir"]["source"] == "environment"
    assert settings["poll_factor"]["source"] == "default"
    assert settings["api_key"]["value"] is None
    assert run.json()["mode"].startswith("sandbox")
    assert run.json()["ledger"] == str(tmp_path / "data" / "ledger.sqlite3")


def test_config_hides_the_api_key(sandbox_env: dict[str, str], sentinel_api_key: str) -> None:
    env = {**sandbox_env, "RODIN_API_KEY": sentinel_api_key, "RODIN_HTTP_TOKEN": "tok-secret-9"}

    as_json = run_cli(["config", "--json"], env)
    as_table = run_cli(["config"], env)

    assert as_json.code == as_table.code == 0
    for run in (as_json, as_table):
        assert sentinel_api_key not in run.stdout + run.stderr
        assert "tok-secret-9" not in run.stdout + run.stderr
    api_key = by_name(as_json.json())["api_key"]
    assert api_key["value"] == f"set ({len(sentinel_api_key)} characters, hidden)"
    assert api_key["source"] == "environment"
    assert "real Rodin API" in as_json.json()["mode"]


def test_config_table_lists_settings_with_their_variables(sandbox_env: dict[str, str]) -> None:
    run = run_cli(["config"], sandbox_env)

    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["setting", "value", "source", "variable"]
    row = next(line for line in lines if line.startswith("output_dir "))
    assert row.split()[-2:] == ["environment", "RODIN_OUTPUT_DIR"]
    assert "Mode:   not configured" in run.stdout


def test_config_says_the_viewer_is_built_when_the_bundle_is_installed(
    sandbox_env: dict[str, str],
) -> None:
    require_viewer()

    as_json = run_cli(["config", "--json"], sandbox_env)
    as_table = run_cli(["config"], sandbox_env)

    assert as_json.code == as_table.code == 0
    assert as_json.json()["viewer"] == "built"
    assert "Viewer: built" in as_table.stdout
