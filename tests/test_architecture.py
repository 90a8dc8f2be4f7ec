"""The house rules of docs/architecture.md, read from the source itself.

* Imports run one way: each room imports only the rooms listed below for it (lazy imports inside
  functions and ``TYPE_CHECKING`` imports count too).
* The core speaks the domain: no string it could show a person or a model names a tool, a
  tool-only argument, a command or a flag. Those words belong to the faces.
* Figures are quoted from their owner: no text retypes a price, a duration in minutes or an image
  limit as a literal.

Docstrings are documentation for us and are not checked; every other string constant is,
including the pieces of f-strings.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rodin_mcp"

BOTTOM = frozenset({"errors", "media_types", "people", "records", "settings"})
CORE = frozenset({"api", "downloads", "inputs", "ledger", "model", "service"}) | BOTTOM
FACES = frozenset({"cli", "server"})

# What each room may import (besides itself). The root ``rodin_mcp`` holds only the version.
ALLOWED_IMPORTS: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "media_types": frozenset(),
    "people": frozenset(),
    "records": frozenset(),
    "settings": frozenset(),
    "api": frozenset({"errors", "records", "settings"}),
    "ledger": frozenset({"errors", "records", "settings"}),
    "inputs": frozenset({"errors", "settings"}),
    "model": frozenset({"errors", "media_types"}),
    "downloads": frozenset({"api", "errors", "media_types", "records", "settings"}),
    # The other side of the wire shares only the mesh reader, so a client bug cannot hide itself.
    "emulator": frozenset({"model"}),
    # The service boots the emulator in sandbox mode.
    "service": CORE | {"emulator"},
    "server": frozenset({"rodin_mcp", "service"}) | BOTTOM,
    # The command line also starts the MCP server and the emulator's own command.
    "cli": frozenset({"rodin_mcp", "service", "server", "emulator"}) | BOTTOM,
    "__main__": frozenset({"cli"}),
}

TOOL_WORDS = re.compile(
    r"\b(generate_3d|check_status|list_downloads|check_balance|list_tasks|inspect_model|wait_seconds"
    r"|force_new|generate_texture|split_into_parts|create_upload)\b"
)
# uvx's own option in how to install the optional extra ("uvx --from 'rodin-mcp[convert]'") is
# the installer's flag, not ours, so both faces may say it.
COMMAND_WORDS = re.compile(r"(?<![\w-])(?<!uvx )--[a-z][a-z-]+|\brodin-mcp [a-z]")
RETYPED_FIGURES = re.compile(
    r"\b(\d+\.\d+|[1-9]\d*) ?(credits?|minutes?|hours?|days?)\b|\bup to [1-9]\d*\b"
)
# The files that own a figure may state it.
FIGURE_OWNERS = frozenset({"rodin_mcp/settings.py", "rodin_mcp/api/pricing.py"})


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(path: Path) -> set[str]:
    """Every ``rodin_mcp`` module a file imports, relative imports resolved."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                names.add(node.module)
    return {name for name in names if name == "rodin_mcp" or name.startswith("rodin_mcp.")}


@cache
def _room_imports() -> dict[str, dict[str, set[str]]]:
    """room -> imported room -> the files that import it."""
    found: dict[str, dict[str, set[str]]] = {}
    for path in _modules():
        room = _room(_module_name(path))
        for name in _imported(path):
            other = _room(name)
            if other != room:
                found.setdefault(room, {}).setdefault(other, set()).add(path.name)
    return found


def _rooms() -> list[str]:
    return sorted({_room(_module_name(path)) for path in _modules()} - {"rodin_mcp"})


def _text_constants(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a file that could reach a reader, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and " " in node.value
        ):
            yield node.lineno, node.value


def _findings(rooms: frozenset[str], pattern: re.Pattern[str], skip: frozenset[str]) -> list[str]:
    found: list[str] = []
    for path in _modules():
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if _room(_module_name(path)) not in rooms or relative in skip:
            continue
        for line, text in _text_constants(path):
            match = pattern.search(text)
            if match:
                found.append(f"{relative}:{line}: {match.group(0)!r} in {text[:80]!r}")
    return found


def test_every_room_of_the_package_has_import_rules() -> None:
    assert set(_rooms()) <= set(ALLOWED_IMPORTS), "add the new room to ALLOWED_IMPORTS"


@pytest.mark.parametrize("room", _rooms())
def test_each_room_imports_only_the_rooms_it_is_allowed_to(room: str) -> None:
    imports = _room_imports().get(room, {})
    forbidden = {
        other: files for other, files in imports.items() if other not in ALLOWED_IMPORTS[room]
    }
    assert forbidden == {}, f"{room} imports {forbidden}"


def test_the_emulator_imports_nothing_of_the_client_side() -> None:
    client_side = {"api", "service", "ledger", "downloads", "inputs", "server", "cli"}
    assert client_side.isdisjoint(_room_imports().get("emulator", {}))


def test_the_faces_reach_the_core_only_through_the_service() -> None:
    for face in FACES:
        reached = set(_room_imports().get(face, {}))
        assert reached.isdisjoint({"api", "ledger", "inputs", "downloads", "model"}), face


def test_the_core_names_no_tool_argument_command_or_flag_in_its_texts() -> None:
    assert _findings(CORE, TOOL_WORDS, frozenset()) == []
    assert _findings(CORE, COMMAND_WORDS, frozenset()) == []


def test_the_mcp_face_names_no_command_or_flag_and_the_command_line_no_tool() -> None:
    assert _findings(frozenset({"server"}), COMMAND_WORDS, frozenset()) == []
    assert _findings(frozenset({"cli"}), TOOL_WORDS, frozenset()) == []


def test_no_text_retypes_a_price_a_duration_or_an_image_limit() -> None:
    rooms = CORE | FACES
    assert _findings(rooms, RETYPED_FIGURES, FIGURE_OWNERS) == []


def test_the_scanners_catch_what_they_are_meant_to_catch() -> None:
    assert TOOL_WORDS.search("call check_status(task_uuid, wait_seconds=45) again")
    assert COMMAND_WORDS.search("add --force-new to submit anyway")
    assert COMMAND_WORDS.search("'rodin-mcp tasks' lists them")
    assert not COMMAND_WORDS.search("a well-known file")
    assert not COMMAND_WORDS.search("run 'uvx --from rodin-mcp[convert] rodin-mcp' instead")
    assert RETYPED_FIGURES.search("an identical request within 10 minutes")
    assert RETYPED_FIGURES.search("spends 0.5 credit")
    assert RETYPED_FIGURES.search("from a prompt and/or up to 5 images")
    assert not RETYPED_FIGURES.search("must be more than 0 seconds")
