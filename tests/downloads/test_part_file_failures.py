"""A temporary file whose rename into place fails: the real error, one close, nothing left over.

Windows refuses to replace a file that another program holds open (a reader, an antivirus, a sync
client), usually for a moment; ``windows_rule`` imposes that refusal here (``tests/file_rules.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rodin_mcp.downloads.temp_files import PartFile, VanishedError, write_file_atomically
from tests.file_rules import WindowsFileRules, open_files_under, rename_over_folder_error


@pytest.fixture
def windows_rule(tmp_path: Path) -> Iterator[WindowsFileRules]:
    rules = WindowsFileRules()
    rules.install()
    try:
        yield rules
    finally:
        rules.uninstall()
    assert open_files_under(tmp_path) == []


def test_a_rename_that_fails_raises_its_own_error_and_closes_the_file_once(tmp_path: Path) -> None:
    expected = rename_over_folder_error(tmp_path / "scratch")
    dest = tmp_path / "model.glb"
    (dest / "inside").mkdir(parents=True)  # a folder where the file is to go

    with pytest.raises(type(expected)) as caught:
        write_file_atomically(dest, b"glTF")

    assert caught.value.errno == expected.errno
    assert open_files_under(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.glb", "scratch"]


def test_a_rename_refused_while_another_program_holds_the_destination_succeeds_once_it_lets_go(
    tmp_path: Path, windows_rule: WindowsFileRules
) -> None:
    dest = tmp_path / "task.json"
    dest.write_bytes(b"old")
    reader = dest.open("rb")
    windows_rule.on_refusal = lambda operation, path: reader.close()

    write_file_atomically(dest, b"new")

    assert reader.closed
    assert [operation for operation, _ in windows_rule.refusals] == ["replace"]
    assert dest.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["task.json"]


def test_a_destination_held_open_throughout_ends_in_the_refusal_with_nothing_left_over(
    tmp_path: Path, windows_rule: WindowsFileRules
) -> None:
    dest = tmp_path / "task.json"
    dest.write_bytes(b"old")
    with dest.open("rb"), pytest.raises(PermissionError):
        write_file_atomically(dest, b"new")

    assert len(windows_rule.refusals) > 1  # tried again before giving up
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["task.json"]


def test_a_temporary_file_removed_before_its_rename_is_reported_as_vanished(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "model.glb"
    with PartFile(dest) as part:
        part.write(b"glTF")
        part.path.unlink()  # what a sweeper does in the moment a closed file waits for its rename
        with pytest.raises(VanishedError):
            part.commit()
    assert list(tmp_path.iterdir()) == []
    assert open_files_under(tmp_path) == []
