"""The job clock: when each job of a task is Waiting, Generating, Done or Failed.

A task takes the time of its tier (the table is in docs/emulator.md: Rodin's docs give Sketch
~20 s, Regular ~70 s, Detail/Smooth >70 s, Gen-2 ~90 s; the Gen-2.5 values are this emulator's
choice between the marketing "4-5 s" and users' reports of minutes), divided by the configured
speed (texture-only and part-split tasks take ``TEXTURE_SECONDS`` / ``SPLIT_SECONDS``). Within it:

* 0-10 %: every job is ``Waiting`` in the queue, with a ``queue_length`` that counts down;
* 10-60 %: the geometry job is ``Generating``; the others wait behind it (``queue_length`` 0);
* 60-100 %: the texture job (and the ``preview_render`` job, if any) are ``Generating``;
* at 100 %: every job is ``Done``, except a job set to fail, which turns ``Failed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "SPLIT_SECONDS",
    "TEXTURE_SECONDS",
    "TIER_SECONDS",
    "JobKind",
    "JobSnapshot",
    "JobStatus",
    "JobTimeline",
    "plan_jobs",
]

JobStatus = Literal["Waiting", "Generating", "Done", "Failed"]
JobKind = Literal["geometry", "texture", "preview_render"]

TIER_SECONDS: dict[str, float] = {
    "Sketch": 20.0,
    "Regular": 70.0,
    "Detail": 90.0,
    "Smooth": 90.0,
    "Gen-2": 90.0,
    "Gen-2.5-Minimum": 20.0,
    "Gen-2.5-Extreme-Low": 25.0,
    "Gen-2.5-Low": 30.0,
    "Gen-2.5-Medium": 45.0,
    "Gen-2.5-High": 60.0,
    "Gen-2.5-Extreme-High": 120.0,
}
# No timing is published for these two; the emulator's choice.
TEXTURE_SECONDS = 60.0
SPLIT_SECONDS = 60.0
_QUEUE_END = 0.10
_GEOMETRY_END = 0.60
_SECONDS_PER_QUEUE_PLACE = 2.0


@dataclass(frozen=True)
class JobSnapshot:
    """One job's state at one moment, as ``/status`` reports it."""

    uuid: str
    status: JobStatus
    queue_length: int | None = None


@dataclass(frozen=True)
class JobTimeline:
    """When one job runs, in seconds of unscaled task time since submission."""

    uuid: str
    kind: JobKind
    starts: float
    ends: float
    queue_ends: float
    fails: bool = False

    def at(self, elapsed: float) -> JobSnapshot:
        """The job's state ``elapsed`` unscaled seconds after submission."""
        if elapsed >= self.ends:
            return JobSnapshot(self.uuid, "Failed" if self.fails else "Done")
        if elapsed >= self.starts:
            return JobSnapshot(self.uuid, "Generating")
        if elapsed < self.queue_ends:
            places = math.ceil((self.queue_ends - elapsed) / _SECONDS_PER_QUEUE_PLACE)
            return JobSnapshot(self.uuid, "Waiting", max(places, 1))
        return JobSnapshot(self.uuid, "Waiting", 0)


def plan_jobs(
    total: float,
    job_ids: list[str],
    *,
    preview_render_job: bool,
    texture_fails: bool,
    preview_fails: bool,
) -> tuple[JobTimeline, ...]:
    """Lay out a task's jobs on its timeline.

    Args:
        total: Unscaled seconds the task takes (``TIER_SECONDS`` of a generation's tier,
            ``TEXTURE_SECONDS`` or ``SPLIT_SECONDS``).
        job_ids: Fresh job uuids: 2, or 3 with ``preview_render_job``.
        preview_render_job: Whether the task has a ``preview_render`` job.
        texture_fails: Whether the texture job ends ``Failed`` (an injected fault).
        preview_fails: Whether the ``preview_render`` job ends ``Failed``.
    """
    queue_ends = total * _QUEUE_END
    geometry_ends = total * _GEOMETRY_END
    jobs = [
        JobTimeline(job_ids[0], "geometry", queue_ends, geometry_ends, queue_ends),
        JobTimeline(job_ids[1], "texture", geometry_ends, total, queue_ends, texture_fails),
    ]
    if preview_render_job:
        jobs.append(
            JobTimeline(
                job_ids[2], "preview_render", geometry_ends, total, queue_ends, preview_fails
            )
        )
    return tuple(jobs)
