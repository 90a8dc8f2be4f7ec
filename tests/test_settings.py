"""Settings: precedence, defaults, secrets that never print, and refused unsafe values."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs
import pytest
from pydantic import SecretStr, ValidationError

from rodin_mcp.settings import DEFAULT_BASE_URL, Settings

SENTINEL = "sk-test-SENTINEL-settings-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("RODIN_"):
            monkeypatch.delenv(name)


def test_an_explicit_argument_beats_the_environment_which_beats_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().read_timeout == 30.0
    monkeypatch.setenv("RODIN_READ_TIMEOUT", "12.5")
    assert Settings().read_timeout == 12.5
    assert Settings(read_timeout=3.0).read_timeout == 3.0


def test_the_default_base_url_is_the_current_rodin_host() -> None:
    assert Settings().base_url == DEFAULT_BASE_URL == "https://api.hyper3d.com/api/v2"


def test_the_api_key_never_appears_in_repr_str_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RODIN_API_KEY", SENTINEL)
    settings = Settings()
    assert settings.has_key()
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == SENTINEL
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert SENTINEL not in text


def test_a_validation_error_does_not_echo_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RODIN_API_KEY", SENTINEL)
    monkeypatch.setenv("RODIN_RETRY_ATTEMPTS", "many")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert SENTINEL not in str(caught.value)
    assert "retry_attempts" in str(caught.value)


def test_a_pasted_key_loses_its_whitespace_and_a_blank_key_counts_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RODIN_API_KEY", f"  {SENTINEL}\n")
    pasted = Settings().api_key
    assert pasted is not None
    assert pasted.get_secret_value() == SENTINEL
    blank = Settings(api_key=SecretStr("   "))
    assert blank.api_key is None
    assert not blank.has_key()


def test_folders_default_to_absolute_per_user_paths() -> None:
    settings = Settings()
    assert settings.output_dir.is_absolute()
    assert settings.data_dir.is_absolute()
    assert settings.output_dir != settings.data_dir


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_on_macos_and_windows_results_go_to_rodin_in_the_home_folder_not_in_documents(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    # Documents is privacy-protected on macOS and synced by OneDrive or iCloud (settings.py).
    monkeypatch.setattr(sys, "platform", platform)
    assert Settings().output_dir == Path.home().absolute() / "Rodin"


def test_on_linux_results_go_to_rodin_in_the_documents_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert Settings().output_dir == platformdirs.user_documents_path().absolute() / "Rodin"


def test_a_relative_output_dir_is_made_absolute_and_created_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(output_dir=Path("nested/out"))
    assert settings.output_dir == tmp_path / "nested" / "out"
    assert not settings.output_dir.exists()
    assert settings.ensure_output_dir().is_dir()


def test_allowed_input_dirs_split_on_the_path_separator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RODIN_ALLOWED_INPUT_DIRS", f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    assert Settings().allowed_input_dirs == [tmp_path / "a", tmp_path / "b"]


@pytest.mark.parametrize(
    "url",
    [
        "http://api.hyper3d.com/api/v2",
        "ftp://api.hyper3d.com/api/v2",
        "https://api.hyper3d.com/api/v2?key=x",
        "https://user:pass@api.hyper3d.com/api/v2",
        "not a url",
    ],
)
def test_an_unsafe_or_malformed_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        Settings(base_url=url)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://hyperhuman.deemos.com/api/v2/", "https://hyperhuman.deemos.com/api/v2"),
        ("http://127.0.0.1:8123/api/v2", "http://127.0.0.1:8123/api/v2"),
        ("http://localhost:9/api/v2/", "http://localhost:9/api/v2"),
        ("http://[::1]:9/api/v2", "http://[::1]:9/api/v2"),
    ],
)
def test_https_and_loopback_http_base_urls_are_accepted_without_trailing_slash(
    url: str, kept: str
) -> None:
    assert Settings(base_url=url).base_url == kept
