"""The official MCP conformance suite against `rodin-mcp serve --http --sandbox`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.node_tools import node_env, npm_bin
from tests.server.http_server import sandbox_http_server

BASELINE = Path(__file__).with_name("conformance-baseline.yml")
APPLICABLE = (
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
)


def test_the_conformance_suite_passes_every_applicable_scenario(tmp_path: Path) -> None:
    results = tmp_path / "results"
    with sandbox_http_server(tmp_path) as port:
        completed = subprocess.run(
            [
                str(npm_bin("conformance")),
                "server",
                "--url",
                f"http://127.0.0.1:{port}/mcp",
                "--expected-failures",
                str(BASELINE),
                "-o",
                str(results),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=node_env(tmp_path),
            check=False,
        )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "Baseline check passed" in completed.stdout
    for scenario in APPLICABLE:
        assert f"✓ {scenario}:" in completed.stdout, scenario
    assert list(results.glob("server-tools-list-*/checks.json"))
