"""Tasks: the jobs of each submission on the job clock, and the files each one produces."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import anyio
import anyio.to_thread

from rodin_mcp.emulator.jobs import JobSnapshot, JobTimeline
from rodin_mcp.emulator.split_order import SplitOrder
from rodin_mcp.emulator.submission import Submission
from rodin_mcp.emulator.texture_order import TextureOrder

if TYPE_CHECKING:
    from rodin_mcp.emulator.assets import AssetRequest, GeneratedFile

__all__ = [
    "PREVIEW_NAME",
    "FileStage",
    "Order",
    "Task",
    "TaskKind",
    "TaskStore",
    "TaskView",
    "asset_request",
    "kind_of",
]

PREVIEW_NAME = "preview.webp"
FileStage = Literal["none", "preview", "all"]
Order = Submission | TextureOrder | SplitOrder
"""What a task was asked to do: a generation, a re-texturing or a part split."""
TaskKind = Literal["rodin", "rodin_texture_only", "bang"]


def kind_of(order: Order) -> TaskKind:
    """The endpoint that made an order."""
    if isinstance(order, TextureOrder):
        return "rodin_texture_only"
    if isinstance(order, SplitOrder):
        return "bang"
    return "rodin"


@dataclass
class Task:
    """One accepted submission (of any of the three submit endpoints)."""

    uuid: str
    subscription_key: str
    submission: Order
    jobs: tuple[JobTimeline, ...]
    created_at: float
    files: list[GeneratedFile] | None = None
    files_lock: anyio.Lock = field(default_factory=anyio.Lock)

    @property
    def job_ids(self) -> list[str]:
        """The job uuids, in the order ``/status`` lists them."""
        return [job.uuid for job in self.jobs]


@dataclass(frozen=True)
class TaskView:
    """A read-only picture of a task at one moment (for tests and the admin endpoint)."""

    uuid: str
    subscription_key: str
    kind: TaskKind
    tier: str | None
    prompt: str | None
    cost: float
    created_at: float
    jobs: tuple[JobSnapshot, ...]
    finished: bool
    failed: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (without the subscription key)."""
        return {
            "uuid": self.uuid,
            "kind": self.kind,
            "tier": self.tier,
            "prompt": self.prompt,
            "cost": self.cost,
            "created_at": self.created_at,
            "jobs": [{"uuid": j.uuid, "status": j.status} for j in self.jobs],
            "finished": self.finished,
            "failed": self.failed,
        }


class TaskStore:
    """Every task, reachable by task uuid and by subscription key; safe across threads."""

    def __init__(self, clock: Callable[[], float], speed: float, file_cache_tasks: int = 16):
        self._clock = clock
        self._speed = speed
        self._file_cache_tasks = file_cache_tasks
        self._lock = threading.Lock()
        self._by_uuid: dict[str, Task] = {}
        self._by_key: dict[str, Task] = {}
        self._with_files: OrderedDict[str, Task] = OrderedDict()

    def add(self, task: Task) -> None:
        """Store a new task."""
        with self._lock:
            self._by_uuid[task.uuid] = task
            self._by_key[task.subscription_key] = task

    def get(self, task_uuid: str) -> Task | None:
        """The task with this uuid, if any."""
        with self._lock:
            return self._by_uuid.get(task_uuid)

    def by_subscription_key(self, key: str) -> Task | None:
        """The task this subscription key polls, if any."""
        with self._lock:
            return self._by_key.get(key)

    def clear(self) -> None:
        """Forget every task."""
        with self._lock:
            self._by_uuid.clear()
            self._by_key.clear()
            self._with_files.clear()

    async def files(self, task: Task) -> list[GeneratedFile]:
        """The task's files, generated in a worker thread on first use.

        Only the files of the ``file_cache_tasks`` most recently used tasks stay in memory;
        generation is deterministic, so an evicted task's files come back byte-identical.
        """
        async with task.files_lock:
            files = task.files
            if files is None:
                files = await anyio.to_thread.run_sync(_generate, task.submission)
                task.files = files
            with self._lock:
                self._with_files[task.uuid] = task
                self._with_files.move_to_end(task.uuid)
                while len(self._with_files) > self._file_cache_tasks:
                    _, evicted = self._with_files.popitem(last=False)
                    evicted.files = None
            return files

    def all(self) -> list[Task]:
        """Every task, oldest first."""
        with self._lock:
            return list(self._by_uuid.values())

    def job_states(self, task: Task) -> list[JobSnapshot]:
        """Each job's state now."""
        elapsed = (self._clock() - task.created_at) * self._speed
        return [job.at(elapsed) for job in task.jobs]

    def is_finished(self, task: Task) -> bool:
        """Whether every job is Done, or any job Failed."""
        states = [s.status for s in self.job_states(task)]
        return "Failed" in states or all(s == "Done" for s in states)

    def unfinished_count(self) -> int:
        """How many tasks count against the parallelism cap."""
        return sum(1 for task in self.all() if not self.is_finished(task))

    def file_stage(self, task: Task) -> FileStage:
        """Which files ``/download`` lists now.

        ``none`` until the geometry job is Done; ``preview`` (``preview.webp`` only) while the
        texture job is not Done; ``all`` once geometry and texture are Done (a ``preview_render``
        job, even a Failed one, does not hold the files back).
        """
        states = {
            job.kind: state.status
            for job, state in zip(task.jobs, self.job_states(task), strict=True)
        }
        if states["geometry"] != "Done":
            return "none"
        return "all" if states["texture"] == "Done" else "preview"

    def view(self, task: Task) -> TaskView:
        """A snapshot of ``task`` now."""
        states = tuple(self.job_states(task))
        order = task.submission
        return TaskView(
            uuid=task.uuid,
            subscription_key=task.subscription_key,
            kind=kind_of(order),
            tier=order.tier if isinstance(order, Submission) else None,
            prompt=order.prompt if not isinstance(order, SplitOrder) else None,
            cost=order.cost,
            created_at=task.created_at,
            jobs=states,
            finished=self.is_finished(task),
            failed=any(s.status == "Failed" for s in states),
        )


def _generate(order: Order) -> list[GeneratedFile]:
    # Imported here: the generator pulls in numpy and imaging, which the emulator's routes and a
    # sandboxed server that never downloads do not need at import time.
    from rodin_mcp.emulator.assets import generate_files
    from rodin_mcp.emulator.assets.retexture import RetextureRequest, retexture_files
    from rodin_mcp.emulator.assets.splitting import split_files

    if isinstance(order, TextureOrder):
        request = RetextureRequest(
            image=order.image,
            model=order.model,
            model_format=order.model_format,
            prompt=order.prompt,
            geometry_file_format=order.geometry_file_format,
            material=order.material,
            high_resolution=order.resolution == "High",
        )
        return retexture_files(request)
    if isinstance(order, SplitOrder):
        source = asset_request(order.source, preview=False)
        high = order.resolution == "High"
        return split_files(source, order.strength, order.geometry_file_format, order.material, high)
    return generate_files(asset_request(order, preview=True))


def asset_request(submission: Submission, *, preview: bool) -> AssetRequest:
    """The generator's facts of a generation request."""
    from rodin_mcp.emulator.assets import AssetRequest

    return AssetRequest(
        prompt=submission.prompt,
        seed=submission.seed,
        tier=submission.tier,
        geometry_file_format=submission.geometry_file_format,
        material=submission.material,
        mesh_mode=submission.mesh_mode,
        target_faces=submission.target_faces,
        bbox=submission.bbox,
        high_pack=submission.high_pack,
        image=submission.image,
        preview=preview,
    )
