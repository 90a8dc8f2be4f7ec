"""Bad input for the fuzz tests of both faces: odd strings, hostile URLs, files that lie.

Shared by ``tests/server/test_fuzz.py`` (through the MCP client) and ``tests/cli/test_fuzz.py``
(through the command line), so both faces are tried with the same hostile values.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

__all__ = [
    "FUZZ",
    "JSON_VALUES",
    "LYING_DATA_URIS",
    "ODD_TEXT",
    "PRIVATE_URLS",
    "TASK_IDS",
    "make_bad_files",
]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(
        ["", " ", "\x00", "\x1b[2J\x1b[31m", "../../../etc/passwd", "%00", "\u202e", "a\r\nb"]
    ),
    st.integers(min_value=1, max_value=20).map(lambda n: "x" * (n * 10_000)),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
PRIVATE_URLS = st.sampled_from(
    [
        "http://127.0.0.1/a.png",
        "http://localhost/a.png",
        "http://[::1]/a.png",
        "http://0x7f000001/a.png",
        "http://2130706433/a.png",
        "http://017700000001/a.png",
        "http://10.0.0.1/a.png",
        "http://192.168.1.1/a.png",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/a.png",
        "http://0.0.0.0/a.png",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "gopher://127.0.0.1:25/",
    ]
)
LYING_DATA_URIS = st.sampled_from(
    [
        "data:image/png;base64," + base64.b64encode(b"not a png at all").decode(),
        "data:image/jpeg;base64," + base64.b64encode(b"GIF89a....").decode(),
        "data:image/png;base64,!!!not-base64!!!",
        "data:image/png,",
        "data:text/html;base64," + base64.b64encode(b"<script>").decode(),
    ]
)


TASK_IDS = st.one_of(
    ODD_TEXT,
    st.text(alphabet="abcdef0123456789-", min_size=101, max_size=300),
    st.uuids().map(str),
)


def make_bad_files(tmp_path: Path) -> list[str]:
    """Local files that are not usable images, paths that leave the allowed folder, and paths on
    another computer or of a device. A FIFO and a symlink are made where the platform allows it
    (Windows has no FIFOs, and makes symlinks only with a privilege)."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "text.png").write_text("this is text, renamed .png")
    (allowed / "empty.png").write_bytes(b"")
    (allowed / "folder.png").mkdir()
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    special: list[str] = []
    if hasattr(os, "mkfifo"):
        os.mkfifo(allowed / "pipe.png")
        special.append(str(allowed / "pipe.png"))
    try:
        (allowed / "escape.png").symlink_to(outside)
        special.append(str(allowed / "escape.png"))
    except OSError:  # Windows without the symlink privilege
        pass
    return [
        str(allowed / "text.png"),
        str(allowed / "empty.png"),
        str(allowed / "folder.png"),
        *special,
        str(allowed / ".." / "outside.png"),
        str(outside),
        "/dev/zero",
        "/dev/null",
        "/proc/self/environ",
        str(allowed / "missing.png"),
        "~/../../etc/shadow",
        r"\\rodin-fuzz-host\share\chair.png",
        "//rodin-fuzz-host/share/chair.png",
        "file://rodin-fuzz-host/share/chair.png",
        r"\\.\pipe\rodin-fuzz",
    ]
