"""The package metadata agrees with itself: version, server.json, the README marker, the face,
and the viewer bundle is packaged from where the server looks for it."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

import rodin_mcp
from rodin_mcp.server.viewer import VIEWER_BUNDLE

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "server.schema.json"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_server_json_is_valid_against_the_registry_schema() -> None:
    schema = load_json(SCHEMA)
    document = load_json(ROOT / "server.json")
    validator: Any = Draft7Validator(schema, format_checker=FormatChecker())
    errors = [str(error.message) for error in validator.iter_errors(document)]
    assert errors == []


def test_versions_agree_across_pyproject_server_json_and_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    document = load_json(ROOT / "server.json")
    expected = pyproject["project"]["version"]
    assert rodin_mcp.__version__ == expected
    assert version("rodin-mcp") == expected
    assert document["version"] == expected
    assert all(package["version"] == expected for package in document["packages"])


def test_the_readme_marker_names_the_registry_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = re.search(r"<!-- mcp-name: (\S+) -->", readme)
    assert marker is not None
    assert marker.group(1) == load_json(ROOT / "server.json")["name"]


def test_server_json_describes_a_stdio_pypi_package_with_a_secret_key() -> None:
    document = load_json(ROOT / "server.json")
    assert len(document["description"]) <= 100
    package = document["packages"][0]
    assert package["identifier"] == "rodin-mcp"
    assert package["transport"]["type"] == "stdio"
    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert variables["RODIN_API_KEY"]["isSecret"] is True


def test_the_built_viewer_is_packaged_from_where_the_server_reads_it() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = pyproject["tool"]["hatch"]["build"]
    bundle = VIEWER_BUNDLE.relative_to(ROOT).as_posix()
    assert bundle in build["artifacts"]  # gitignored, so packaged only as an artifact
    assert build["hooks"]["custom"]["path"] == "hatch_build.py"
    hook = (ROOT / "hatch_build.py").read_text(encoding="utf-8")
    assert f'BUNDLE = Path("{bundle}")' in hook
    assert bundle.rsplit("/", 1)[0] + "/" in (ROOT / ".gitignore").read_text(encoding="utf-8")
