"""Telling a path on another computer, or a device, from a local path by its text alone.

These rules are Windows' (Microsoft's "File path formats on Windows systems"), applied on every
platform, so they are tested here on whatever this suite runs on.
"""

from __future__ import annotations

import pytest

from rodin_mcp.inputs.network_paths import (
    is_device_path,
    network_root,
    network_spelling,
    without_device_prefix,
)


@pytest.mark.parametrize(
    ("path", "root"),
    [
        (r"\\nas\share\pics\chair.png", r"\\nas\share"),
        ("//nas/share/pics/chair.png", r"\\nas\share"),
        (r"\/nas/share", r"\\nas\share"),
        (r"\\?\UNC\nas\share\chair.png", r"\\nas\share"),
        (r"\\?\unc\nas\share\chair.png", r"\\nas\share"),
        (r"\\.\UNC\nas\share\chair.png", r"\\nas\share"),
        ("//?/UNC/nas/share/chair.png", r"\\nas\share"),
        (r"\??\UNC\nas\share\chair.png", r"\\nas\share"),
        (r"\\\nas\share\chair.png", r"\\nas\share"),
        (r"\\nas", r"\\nas"),
        (r"\\192.0.2.7@SSL@443\DavWWWRoot\chair.png", r"\\192.0.2.7@SSL@443\DavWWWRoot"),
    ],
)
def test_a_path_on_another_computer_is_known_by_its_share(path: str, root: str) -> None:
    assert network_root(path) == root
    assert not is_device_path(path)


@pytest.mark.parametrize(
    "path",
    [
        r"C:\Users\me\chair.png",
        "/home/me/chair.png",
        r"\Users\me\chair.png",
        r"\\?\C:\Users\me\chair.png",
        r"\\.\D:\chair.png",
        "chair.png",
        r"C:\\nas\share",
    ],
)
def test_a_local_path_names_no_other_computer(path: str) -> None:
    assert network_spelling(path) is None
    assert network_root(path) is None
    assert not is_device_path(path)


@pytest.mark.parametrize(
    "path",
    [
        r"\\.\pipe\rodin",
        r"\\.\PhysicalDrive0",
        r"\\.\C:",
        r"\\?\GLOBALROOT\Device\Mup\nas\share\x",
        r"\\?\Volume{b75e2c83-0000-0000-0000-602f00000000}\x",
        "//./COM1",
        r"\??\pipe\rodin",
    ],
)
def test_a_device_path_is_neither_local_nor_on_a_share(path: str) -> None:
    assert is_device_path(path)
    assert network_spelling(path) is None


def test_the_long_form_of_a_local_drive_path_is_made_plain() -> None:
    assert without_device_prefix(r"\\?\C:\Users\me\chair.png") == r"C:\Users\me\chair.png"
    assert without_device_prefix("//?/C:/Users/me/chair.png") == r"C:\Users\me\chair.png"
    assert without_device_prefix(r"\\?\UNC\nas\share\x") == r"\\?\UNC\nas\share\x"
    assert without_device_prefix("/home/me/chair.png") == "/home/me/chair.png"


def test_the_long_form_of_a_unc_path_is_spelled_as_a_plain_one() -> None:
    assert network_spelling(r"\\?\UNC\nas\share\pics\x.png") == r"\\nas\share\pics\x.png"
    assert network_spelling("//nas/share/pics/x.png") == r"\\nas\share\pics\x.png"
