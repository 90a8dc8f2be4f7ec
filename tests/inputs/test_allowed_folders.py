"""Whether a path lies inside an allowed folder as written: the check made before the path is
looked up. Folders on a network share follow Windows' rules on every platform, so the exception
for a share listed in RODIN_ALLOWED_INPUT_DIRS is tested here, wherever the suite runs; the check
of the real path and local folders are tested through load_images in test_local_files.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from rodin_mcp.inputs.allowed_folders import written_inside

SHARE = Path(r"\\nas\share\pics")


@pytest.mark.parametrize(
    "path",
    [
        r"\\nas\share\pics\chair.png",
        r"\\NAS\Share\PICS\sub\chair.png",
        "//nas/share/pics/chair.png",
        r"\\?\UNC\nas\share\pics\chair.png",
        r"\\nas\share\pics\sub\..\chair.png",
        r"\\nas\share\pics",
    ],
)
def test_a_path_inside_an_allowed_share_is_inside_as_written(path: str) -> None:
    assert written_inside(path, [SHARE])


@pytest.mark.parametrize(
    "path",
    [
        r"\\nas\share\other\chair.png",
        r"\\nas\share\pics\..\other\chair.png",
        r"\\nas\share\picsx\chair.png",
        r"\\nas\other\pics\chair.png",
        r"\\evil\share\pics\chair.png",
        r"\\nas.evil\share\pics\chair.png",
    ],
)
def test_a_path_elsewhere_on_the_network_is_outside_an_allowed_share(path: str) -> None:
    assert not written_inside(path, [SHARE])


def test_a_network_path_is_outside_every_local_folder(tmp_path: Path) -> None:
    assert not written_inside(r"\\nas\share\pics\chair.png", [tmp_path, Path("/")])
    assert not written_inside("//nas/share/pics/chair.png", [])


def test_a_local_path_is_never_inside_a_share(tmp_path: Path) -> None:
    assert not written_inside(str(tmp_path / "chair.png"), [SHARE])
    assert written_inside(str(tmp_path / "chair.png"), [SHARE, tmp_path])


def test_a_whole_share_may_be_allowed_however_it_is_written() -> None:
    for folder in (Path("//nas/share/"), Path(r"\\nas\share"), Path(r"\\?\UNC\nas\share")):
        assert written_inside(r"\\nas\share\any\chair.png", [folder]), folder
        assert not written_inside(r"\\nas\shared\chair.png", [folder]), folder
