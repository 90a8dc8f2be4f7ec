"""The package runs one code path on Linux, macOS and Windows, read from the source itself.

* No ``/proc``: it exists on Linux only. Process liveness and start times come from psutil.
* No ``os.kill`` as a question: on Windows signal 0 is Ctrl+C sent to a whole console.
* No ``signal.SIGKILL``: Windows has none (``Process.kill()`` is the portable call).
* No POSIX-only module (``fcntl``, ``termios``, ...) imported where a module loads: only inside a
  function, behind a check of the platform.

Docstrings may name these things; code and the strings it uses may not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rodin_mcp"
POSIX_ONLY_MODULES = frozenset(
    {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix"}
)


def linux_only_findings(source: str) -> list[str]:
    """What in ``source`` would work on Linux only (or do harm elsewhere), line by line."""
    tree = ast.parse(source)
    docstrings = _docstring_ids(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "/proc" in node.value and id(node) not in docstrings:
                found.append(f"{node.lineno}: reads /proc")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) == ("os", "kill"):
                found.append(f"{node.lineno}: os.kill")
            if (node.value.id, node.attr) == ("signal", "SIGKILL"):
                found.append(f"{node.lineno}: signal.SIGKILL")
    found += [
        f"{line}: imports {name} when the module loads" for line, name in _eager_imports(tree)
    ]
    return found


def _docstring_ids(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _eager_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """POSIX-only modules imported outside any function (directly or under a module-level if)."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If | ast.Try | ast.With):
            pending.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in POSIX_ONLY_MODULES:
                yield node.lineno, name


def test_the_package_holds_nothing_that_works_on_linux_only() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent).as_posix()}:{finding}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for finding in linux_only_findings(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scanner_catches_what_it_is_meant_to_catch() -> None:
    source = '''
"""Docstrings may say /proc and os.kill."""
import os
import signal
import fcntl
if True:
    import termios
def later():
    import fcntl  # inside a function: fine
    return fcntl
def probe(pid):
    """Not /proc here either."""
    os.kill(pid, 0)
    return open(f"/proc/{pid}/stat"), signal.SIGKILL
'''
    assert sorted(linux_only_findings(source)) == [
        "13: os.kill",
        "14: reads /proc",
        "14: signal.SIGKILL",
        "5: imports fcntl when the module loads",
        "7: imports termios when the module loads",
    ]
