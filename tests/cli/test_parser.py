"""The one parser of `rodin-mcp`: every command, the flags before it, usage errors."""

from __future__ import annotations

import pytest

from rodin_mcp.cli.command_names import PEOPLE_COMMANDS
from rodin_mcp.cli.parser import parse_command_line


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        parse_command_line(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_no_command_means_serving_stdio() -> None:
    args = parse_command_line([])

    assert (args.command, args.sandbox, args.verbose, args.json) == (None, False, False, False)


def test_the_help_lists_every_command_with_the_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_command_line(["--help"])

    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert out.startswith("usage: rodin-mcp [-h] [--sandbox] [-v] COMMAND ...\n")
    for name in ["serve", "emulator", *PEOPLE_COMMANDS]:
        assert f"\n    {name} " in out
    assert "rodin-mcp serve --http --port 8000   serve MCP over Streamable HTTP" in out


def test_serve_takes_its_http_options() -> None:
    args = parse_command_line(["--sandbox", "serve", "--http", "--host", "::1", "--port", "9"])

    assert (args.command, args.http, args.host, args.port, args.sandbox) == (
        "serve",
        True,
        "::1",
        9,
        True,
    )


@pytest.mark.parametrize(
    "argv", [["--sandbox", "--json", "-v", "tasks"], ["tasks", "--sandbox", "--json", "-v"]]
)
def test_the_common_flags_count_before_and_after_the_command(argv: list[str]) -> None:
    args = parse_command_line(argv)

    assert (args.command, args.sandbox, args.json, args.verbose, args.limit) == (
        "tasks",
        True,
        True,
        True,
        20,
    )


def test_the_emulator_gets_every_argument_after_its_name_unparsed() -> None:
    args = parse_command_line(["-v", "emulator", "--port", "0", "--sandbox", "--help"])

    assert args.command == "emulator"
    assert args.emulator_arguments == ["--port", "0", "--sandbox", "--help"]


@pytest.mark.parametrize("argv", [["--json"], ["--json", "serve"], ["serve", "--json"]])
def test_json_is_an_option_of_the_peoples_commands_only(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error(argv, capsys)

    assert err == (
        "usage: rodin-mcp [-h] [--sandbox] [-v] COMMAND ...\n"
        "rodin-mcp: error: unrecognized arguments: --json\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tasks", "extra"], "unrecognized arguments: extra"),
        (["generate", "a chair", "--out", "models"], "--out needs --wait"),
    ],
)
def test_a_peoples_command_usage_line_shows_json(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error(argv, capsys)

    assert err.startswith("usage: rodin-mcp [-h] [--sandbox] [--json] [-v] COMMAND ...\n")
    assert f"rodin-mcp: error: {message}" in err


def test_generate_offers_the_request_fields_as_options() -> None:
    args = parse_command_line(["generate", "a chair", "--tier", "Sketch", "--bbox", "1", "2", "3"])

    assert (args.prompt, args.tier, args.bbox_condition) == ("a chair", "Sketch", [1, 2, 3])
