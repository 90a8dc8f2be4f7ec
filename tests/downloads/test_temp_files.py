"""Temporary files: created locked, one owner for each descriptor, renamed into place or removed,
and swept only when ours and their writer is gone; under this platform's file rules and under
Windows' (``file_rules``: a file held open cannot be deleted or replaced)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rodin_mcp.downloads.temp_files import (
    TEMP_SUFFIX,
    PartFile,
    is_temp_name,
    sweep_folder,
    sweep_task_folders,
)

pytestmark = pytest.mark.usefixtures("file_rules")

REPO = Path(__file__).resolve().parents[2]

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rodin_mcp.downloads.temp_files import PartFile

    part = PartFile(Path(sys.argv[1]))
    print(part.path, flush=True)
    sys.stdin.readline()
    """
)


def _writer(dest: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(dest)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_a_leftover_of_a_killed_writer_is_swept_and_a_live_writers_file_is_kept(
    tmp_path: Path,
) -> None:
    with _writer(tmp_path / "dead.glb") as dead, _writer(tmp_path / "live.glb") as live:
        assert dead.stdout is not None
        assert live.stdout is not None
        dead_temp = Path(dead.stdout.readline().strip())
        live_temp = Path(live.stdout.readline().strip())
        dead.kill()
        dead.wait(timeout=30)
        assert dead_temp.exists()

        assert sweep_folder(tmp_path) == 1
        assert not dead_temp.exists()
        assert live_temp.exists()
        live.communicate("done\n", timeout=30)
    assert sweep_folder(tmp_path) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_file_this_process_is_writing_is_never_swept(tmp_path: Path) -> None:
    dest = tmp_path / "model.glb"
    with PartFile(dest) as part:
        assert sweep_folder(tmp_path) == 0
        part.write(b"glTF")
        part.flush_to_disk()
        part.commit()
    assert dest.read_bytes() == b"glTF"
    assert [p.name for p in tmp_path.iterdir()] == ["model.glb"]


def test_files_not_of_our_naming_are_never_touched(tmp_path: Path) -> None:
    kept = [
        "model.glb",
        ".model.glb.1234abcd.part",
        ".model.glb.xyz" + TEMP_SUFFIX,
        "model.glb.1234abcd" + TEMP_SUFFIX,
    ]
    for name in kept:
        (tmp_path / name).write_bytes(b"user data")
    target = tmp_path / "elsewhere.bin"
    target.write_bytes(b"not ours")
    link = tmp_path / (".link.glb.1234abcd" + TEMP_SUFFIX)
    link.symlink_to(target)
    folder = tmp_path / (".dir.glb.1234abcd" + TEMP_SUFFIX)
    folder.mkdir()
    assert sweep_folder(tmp_path) == 0
    assert {p.name for p in tmp_path.iterdir()} == {*kept, target.name, link.name, folder.name}
    assert target.read_bytes() == b"not ours"


def test_the_start_up_sweep_reaches_each_task_folder_but_no_deeper(tmp_path: Path) -> None:
    task = tmp_path / "2026-12-03_owl_abcd1234"
    deeper = task / "textures"
    deeper.mkdir(parents=True)
    for folder in (tmp_path, task, deeper):
        part = PartFile(folder / "f.bin")
        os.close(part.fd)  # the writer is gone: its lock went with the descriptor
    assert sweep_task_folders(tmp_path) == 2
    assert [is_temp_name(p.name) for p in deeper.iterdir()] == [True]


def test_a_missing_folder_sweeps_nothing(tmp_path: Path) -> None:
    assert sweep_task_folders(tmp_path / "absent") == 0
