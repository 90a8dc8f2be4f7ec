"""Rodin's answers: the task state derived from the jobs, and reprs that hide secrets."""

from __future__ import annotations

import pytest

from rodin_mcp.api import DownloadItem, ImagePart, JobStatus, SubmitResult, TaskStatus
from rodin_mcp.api.responses import task_state


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ([], "waiting"),
        (["Waiting", "Waiting"], "waiting"),
        (["Waiting", "Generating"], "generating"),
        (["Done", "Generating"], "generating"),
        (["Done", "Done"], "done"),
        (["Done", "Failed"], "failed"),
        (["Generating", "Canceled"], "failed"),
        (["Waiting", "Cancelled"], "failed"),
        (["Done", "Error"], "failed"),
        (["Done", "Waiting"], "waiting"),
        (["DONE", "done"], "done"),
        (["Queued"], "waiting"),
    ],
)
def test_the_task_state_is_derived_from_the_job_states(statuses: list[str], state: str) -> None:
    assert task_state(statuses) == state
    jobs = [JobStatus(uuid=str(i), status=s) for i, s in enumerate(statuses)]
    assert TaskStatus(jobs=jobs).model_dump()["state"] == state


def test_reprs_hide_signed_urls_and_subscription_keys() -> None:
    item = DownloadItem(url="https://assets.example/a.glb?sig=SECRET-SIG", name="a.glb")
    submitted = SubmitResult(task_uuid="t", subscription_key="SECRET-JWT")
    image = ImagePart("0000.png", "image/png", b"\x89PNG" * 1000)
    assert "SECRET" not in repr(item)
    assert "SECRET" not in repr(submitted)
    assert "4000 bytes" in repr(image)
