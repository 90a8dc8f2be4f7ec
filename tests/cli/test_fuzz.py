"""Property-based fuzzing of the command line's arguments, the way a person or a script types them.

Each example is bad input: hostile images, option values outside what Rodin accepts, odd task ids
and keys. Each must end with exit code 1 or 2 and a short sentence on stderr (never a
traceback), and leave no trace: no ledger row, no submit upstream.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rodin_mcp.cli.main import main
from rodin_mcp.emulator import RunningEmulator
from tests.bad_inputs import FUZZ, LYING_DATA_URIS, ODD_TEXT, PRIVATE_URLS, TASK_IDS, make_bad_files

MAX_ERROR_CHARS = 5_000


@pytest.fixture
def bad_files(tmp_path: Path) -> list[str]:
    return make_bad_files(tmp_path)


@pytest.fixture
def cli_env(
    api_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The command line aimed at the emulator, local images confined to ``allowed``."""
    for name in list(os.environ):
        if name.upper().startswith("RODIN_"):
            monkeypatch.delenv(name)
    env = {
        **{k: v for k, v in api_env.items() if k.startswith("RODIN_")},
        "RODIN_ALLOWED_INPUT_DIRS": str(tmp_path / "allowed"),
        "RODIN_IMAGE_FETCH_TIMEOUT": "2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _assert_refused_without_trace(
    argv: list[str], capsys: pytest.CaptureFixture[str], emulator: RunningEmulator
) -> None:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (1, 2), (argv, code, out[:300], err[:300])
    assert err.strip(), argv
    assert "Traceback" not in out + err
    assert len(err) < MAX_ERROR_CHARS, "an error should say what happened, not echo the input"
    if "--json" in argv and code == 1:
        assert json.loads(out)["error"]["exit_code"] == 1
    assert not any(r.endpoint == "rodin" for r in emulator.requests)
    assert main(["tasks", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"] == []


def _image_arguments(refs: list[str]) -> list[str]:
    return [token for ref in refs for token in ("--image", ref)]


@FUZZ
@given(data=st.data())
def test_generate_with_bad_images_exits_with_a_clear_error_and_leaves_no_trace(
    cli_env: dict[str, str],
    emulator: RunningEmulator,
    bad_files: list[str],
    capsys: pytest.CaptureFixture[str],
    data: st.DataObject,
) -> None:
    bad_image = st.one_of(st.sampled_from(bad_files), PRIVATE_URLS, LYING_DATA_URIS, ODD_TEXT)
    refs = data.draw(st.lists(bad_image, min_size=1, max_size=3) | st.just(["x.png"] * 6))
    json_flag = data.draw(st.sampled_from([[], ["--json"]]))

    argv = ["generate", *json_flag, "a vase", *_image_arguments(refs)]

    _assert_refused_without_trace(argv, capsys, emulator)


NOT_A_NUMBER = ODD_TEXT.filter(lambda text: not text.strip().lstrip("-").isdigit())


def _none_of(*choices: str) -> st.SearchStrategy[str]:
    folded = {choice.casefold() for choice in choices}
    return ODD_TEXT.filter(lambda text: text.strip().casefold() not in folded)


BAD_OPTIONS = st.one_of(
    st.tuples(st.just("--tier"), _none_of("Sketch", "Regular", "Detail", "Smooth", "Gen-2")),
    st.tuples(st.just("--material"), _none_of("PBR", "Shaded", "All", "None")),
    st.tuples(st.just("--geometry-file-format"), _none_of("glb", "usdz", "fbx", "obj", "stl")),
    st.tuples(st.just("--quality"), _none_of("high", "medium", "low", "extra-low")),
    st.tuples(
        st.just("--seed"),
        NOT_A_NUMBER | st.integers(max_value=-1).map(str) | st.integers(65536).map(str),
    ),
    st.tuples(st.just("--quality-override"), NOT_A_NUMBER | st.integers(max_value=0).map(str)),
    st.tuples(st.just("--height"), NOT_A_NUMBER),
    st.tuples(st.just("--timeout"), NOT_A_NUMBER | st.floats(max_value=0).map(str)),
    st.tuples(st.just("--mesh-mode"), _none_of("Raw", "Quad")),
)


@FUZZ
@given(option=BAD_OPTIONS, prompt=st.sampled_from(["a vase", ""]) | ODD_TEXT)
def test_generate_with_option_values_rodin_refuses_exits_cleanly_and_sends_nothing(
    cli_env: dict[str, str],
    emulator: RunningEmulator,
    capsys: pytest.CaptureFixture[str],
    option: tuple[str, str],
    prompt: str,
) -> None:
    flag, value = option
    argv = ["generate", "--json", f"{flag}={value}", "--", prompt]

    _assert_refused_without_trace(argv, capsys, emulator)


@FUZZ
@given(
    command=st.sampled_from(["status", "download"]),
    task=TASK_IDS,
    key=st.one_of(st.none(), ODD_TEXT, st.just("eyJhbGciOiJIUzI1NiJ9.e30.sig")),
)
def test_status_and_download_of_bad_or_unknown_ids_exit_cleanly_and_leave_no_row(
    cli_env: dict[str, str],
    emulator: RunningEmulator,
    capsys: pytest.CaptureFixture[str],
    command: str,
    task: str,
    key: str | None,
) -> None:
    options = [f"--subscription-key={key}"] if key is not None and command == "status" else []
    argv = [command, "--json", *options, "--", task]

    _assert_refused_without_trace(argv, capsys, emulator)
