"""BANG part split as a paid submission: a finished Gen-2 generation cut into its parts.

When the ledger knows the source task, the split is refused before anything is sent unless that
task is a finished generation of the one splittable tier (a still-running task is read once
from Rodin first, for free, so a stale record does not refuse a finished task). A task the ledger
does not know as the person's own is split only for someone who may act on tasks from elsewhere
(:mod:`.reach`), and is then left for Rodin to judge. Two splits are "the same request" when
their source task and options are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rodin_mcp.api import PRICES, SPLITTABLE_TIER, RodinClient, SplitRequest, SubmitResult
from rodin_mcp.errors import ForeignTaskRefusedError, UnsplittableTaskError
from rodin_mcp.ledger import Ledger, SubmissionDraft, request_fingerprint
from rodin_mcp.people import Person
from rodin_mcp.records import RecordState, TaskKind, TaskRecord
from rodin_mcp.service.following import Follower

__all__ = ["PreparedSplit", "prepare_split"]


@dataclass(frozen=True)
class PreparedSplit:
    """A part split whose options were checked and whose source task may be split."""

    request: SplitRequest
    fingerprint: str

    @property
    def cost(self) -> float:
        """Credits a part split costs."""
        return PRICES.split

    def draft(self, *, sandbox: bool, scope: str, person: str) -> SubmissionDraft:
        """The ledger row written before the split request leaves."""
        return SubmissionDraft(
            fingerprint=self.fingerprint,
            request=self.request.model_dump(mode="json"),
            image_count=0,
            prompt=None,
            tier=None,
            estimated_credits=self.cost,
            sandbox=sandbox,
            scope=scope,
            person=person,
            kind=TaskKind.SPLIT,
            source=self.request.task_uuid,
        )

    async def send(self, client: RodinClient) -> SubmitResult:
        """``POST /bang``, once."""
        return await client.submit_split(self.request)


async def prepare_split(
    options: Mapping[str, Any], task_uuid: str, person: Person, ledger: Ledger, follower: Follower
) -> PreparedSplit:
    """Check the options and, when the ledger knows it as ``person``'s, the source task; a task
    it does not know is split only for a person who may act on tasks from elsewhere.

    Raises:
        RequestValidationError: an option breaks a rule.
        UnsplittableTaskError: the source task is not finished, failed, or is no Gen-2 model.
        ForeignTaskRefusedError: the task is not ``person``'s, and tasks from elsewhere are not
            theirs to act on.
        InputError: the source task belongs to the other mode.
    """
    request = SplitRequest.model_validate({**options, "task_uuid": task_uuid})
    record = await ledger.get(request.task_uuid, person.key)
    if record is None and not follower.may_reach_elsewhere(person):
        raise ForeignTaskRefusedError(request.task_uuid)
    if record is not None:
        await follower.reachable(request.task_uuid, person)  # refuses a task of the other mode
        await _check_source(record, person, follower)
    fingerprint = request_fingerprint(
        {"kind": TaskKind.SPLIT.value, **request.model_dump(mode="json")}, []
    )
    return PreparedSplit(request, fingerprint)


async def _check_source(record: TaskRecord, person: Person, follower: Follower) -> None:
    assert record.task_uuid is not None
    if record.kind is not TaskKind.GENERATION:
        raise UnsplittableTaskError(
            record.task_uuid,
            f"it is a {record.kind.value} task, and only the models of {SPLITTABLE_TIER} "
            f"generations can be split; split the {SPLITTABLE_TIER} generation it came from",
            finished=True,
        )
    if record.tier != SPLITTABLE_TIER:
        raise UnsplittableTaskError(
            record.task_uuid,
            f"it was generated with tier {record.tier or 'unknown'}, and only the models of "
            f"{SPLITTABLE_TIER} generations can be split; generate it again with tier "
            f"{SPLITTABLE_TIER} and split that",
            finished=True,
        )
    state = record.state
    if state is not RecordState.DONE:
        state = RecordState((await follower.status(record.task_uuid, person)).state.value)
    if state is RecordState.FAILED:
        raise UnsplittableTaskError(
            record.task_uuid, "it failed and has no model to split", finished=True
        )
    if state is not RecordState.DONE:
        raise UnsplittableTaskError(
            record.task_uuid,
            f"it is still {state.value}; wait until it is done, then split it",
            finished=False,
        )
