"""The short fault soak (about 200 tasks), run in CI; the long form: `python -m tests.soak.soak`."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

from tests.soak.soak import SoakConfig, run_soak

pytestmark = pytest.mark.anyio


async def test_two_hundred_tasks_through_killed_and_faulty_servers_keep_every_promise(
    tmp_path: Path,
) -> None:
    with anyio.fail_after(900):  # a hang guard only: the run takes about two minutes
        report = await run_soak(SoakConfig(tasks=200), tmp_path)
    sys.stderr.write(report.table() + "\n")  # the counts belong in the CI log
    assert report.violations == []
    counts = report.counts
    assert counts["servers killed (SIGKILL)"] >= 3
    assert counts["faults fired"] >= 50
    assert counts["generate: reused"] >= 50
    assert counts["tasks downloaded"] >= 150
    assert counts["files verified against upstream"] >= counts["tasks downloaded"]
