"""Safe local names: flat, deterministic file names from untrusted ones, and readable folders."""

from __future__ import annotations

import posixpath
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodin_mcp.downloads import MAX_NAME_BYTES, safe_file_name, task_folder_name
from rodin_mcp.errors import UnsafeFileNameError

RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}


def assert_single_safe_component(name: str) -> None:
    assert name
    assert name not in (".", "..")
    assert not name.startswith(".")
    assert not name.endswith((".", " "))
    assert not any(ch in name for ch in '/\\<>:"|?*')
    assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in name)
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert PurePosixPath(name).name == name
    windows = PureWindowsPath(name)
    assert windows.name == name
    assert not windows.drive
    assert not windows.root
    assert name.split(".")[0].upper() not in RESERVED
    joined = posixpath.normpath(posixpath.join("/task", name))
    assert posixpath.dirname(joined) == "/task"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_a_safe_name_is_one_deterministic_idempotent_component_or_refused(raw: str) -> None:
    try:
        name = safe_file_name(raw)
    except UnsafeFileNameError:
        return
    assert_single_safe_component(name)
    assert safe_file_name(raw) == name
    assert safe_file_name(name) == name


path_parts = st.lists(st.sampled_from(["..", ".", "a", "C:", "\\\\srv", "share", ""]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    path_parts,
    st.sampled_from(["/", "\\"]),
    st.text(min_size=1, max_size=250).filter(lambda s: any(ch.isalnum() for ch in s)),
    st.sampled_from([".glb", ".usdz", ".fbx", ".obj", ".stl", ".webp", ".png"]),
)
def test_a_sane_extension_survives_paths_odd_characters_and_length_caps(
    parts: list[str], separator: str, stem: str, extension: str
) -> None:
    raw = separator.join([*parts, stem.replace("/", "_").replace("\\", "_") + extension])
    name = safe_file_name(raw)
    assert_single_safe_component(name)
    assert name.endswith(extension)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("base_basic_pbr.glb", "base_basic_pbr.glb"),
        ("../../x.glb", "x.glb"),
        ("a/../../b", "b"),
        ("/etc/passwd", "passwd"),
        ("C:\\x\\y.glb", "y.glb"),
        ("C:y.glb", "y.glb"),
        ("\\\\server\\share\\z.glb", "z.glb"),
        ("models/preview.webp", "preview.webp"),
        ("CON", "_CON"),
        ("nul.glb", "_nul.glb"),
        ("com1.txt", "_com1.txt"),
        ("what?.glb", "what.glb"),
        ("tab\there.glb", "tabhere.glb"),
        ("trailing. . ", "trailing"),
        (".hidden.glb", "hidden.glb"),
        ("A:.glb", "file.glb"),
    ],
)
def test_server_names_become_flat_safe_names(raw: str, expected: str) -> None:
    assert safe_file_name(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "..", ".", "/", "a/", "C:\\", "\\\\server\\share\\", "???", "\x00"]
)
def test_a_name_with_nothing_usable_left_is_refused(raw: str) -> None:
    with pytest.raises(UnsafeFileNameError):
        safe_file_name(raw)


def test_an_overlong_name_is_cut_keeping_its_extension() -> None:
    name = safe_file_name("é" * 400 + ".glb")
    assert name.endswith(".glb")
    assert len(name.encode()) <= MAX_NAME_BYTES


def test_the_task_folder_name_is_dated_slugged_and_short() -> None:
    when = datetime(2026, 3, 4, 12, 0)
    name = task_folder_name("9f1c2d3e-aaaa-bbbb", "A Red Chair, please! ../../etc", when)
    assert name == "2026-03-04_a-red-chair-please-etc_9f1c2d3e"
    assert task_folder_name("../..", None, when) == "2026-03-04_task_task"
