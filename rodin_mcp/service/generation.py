"""Paid submissions: checked, deduplicated, guarded by the budget, and recorded before they leave.

* The options and images are checked, and the images loaded, once per call
  (:meth:`Submissions.prepare`); nothing is recorded for input that cannot be used.
* An identical request (same options and image hashes, same Rodin) accepted within the dedupe
  window returns the existing task instead of paying again, unless ``force_new``.
* An identical request whose earlier submission has an unknown outcome is refused until
  ``force_new``: that earlier one may have been billed.
* The submission is written to the ledger (``submitting``) before its request leaves, then its
  ids; a refusal marks it ``rejected``; a lost answer or a cancellation marks it ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from rodin_mcp.api import GenerationRequest, ImagePart, RodinClient, check_images
from rodin_mcp.api.pricing import estimated_credits
from rodin_mcp.errors import (
    APIError,
    InputError,
    NotSentError,
    OutcomeUnknownError,
    UnresolvedSubmissionError,
)
from rodin_mcp.inputs import LoadedImage, load_images
from rodin_mcp.ledger import Ledger, request_fingerprint
from rodin_mcp.records import RecordState, TaskRecord
from rodin_mcp.service.spending import Budget
from rodin_mcp.settings import Settings

__all__ = ["PreparedGeneration", "Submissions"]


@dataclass(frozen=True)
class PreparedGeneration:
    """A generation whose options and images were checked and loaded, ready to submit."""

    request: GenerationRequest
    images: tuple[LoadedImage, ...]
    fingerprint: str

    @property
    def cost(self) -> float:
        """Credits this generation costs."""
        return estimated_credits(self.request)


class Submissions:
    """The paid side of the service: prepare, dedupe or refuse, and submit."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        client: RodinClient,
        budget: Budget,
        *,
        sandbox: bool,
        scope: str,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._client = client
        self._budget = budget
        self._sandbox = sandbox
        self._scope = scope
        self._lock = anyio.Lock()

    async def prepare(
        self, options: Mapping[str, Any], image_refs: Sequence[str]
    ) -> PreparedGeneration:
        """Check the options, then load and check the images (in that order).

        Raises:
            InputError: the options or images cannot be used; nothing was sent or recorded.
        """
        request = GenerationRequest.model_validate(dict(options))
        check_images(request, len(image_refs))
        images = await load_images(list(image_refs), self._settings)
        fingerprint = request_fingerprint(
            request.model_dump(mode="json"), [image.sha256 for image in images]
        )
        return PreparedGeneration(request, tuple(images), fingerprint)

    def would_spend(self, prepared: PreparedGeneration, *, force_new: bool) -> bool:
        """Whether :meth:`submit` would send (and pay for) this generation now."""
        try:
            return self._reuse_or_refuse(prepared.fingerprint, force_new, dry_run=True) is None
        except UnresolvedSubmissionError:
            return False

    async def submit(
        self, prepared: PreparedGeneration, *, force_new: bool
    ) -> tuple[TaskRecord, bool]:
        """Submit, or find the identical recent task; returns the record and whether reused.

        Raises:
            GuardError: the budget is spent, or an identical submission's outcome is unknown.
            OutcomeUnknownError: the submission may have been billed; it is recorded.
            APIError, NotSentError, InputError: Rodin refused it, or could not be reached.
        """
        async with self._lock:
            reused = self._reuse_or_refuse(prepared.fingerprint, force_new)
            if reused is not None:
                return reused, True
            with self._budget.reservation(prepared.cost):
                return await self._send(prepared), False

    def _reuse_or_refuse(
        self, fingerprint: str, force_new: bool, *, dry_run: bool = False
    ) -> TaskRecord | None:
        unresolved = self._ledger.find_unresolved(
            fingerprint, sandbox=self._sandbox, scope=self._scope
        )
        if unresolved is not None:
            if not force_new:
                raise UnresolvedSubmissionError()
            if not dry_run:
                self._ledger.resolve_unknown(unresolved.id, RecordState.SUPERSEDED)
        if force_new:
            return None
        return self._ledger.find_duplicate(
            fingerprint,
            within_seconds=self._settings.dedupe_window_seconds,
            sandbox=self._sandbox,
            scope=self._scope,
        )

    async def _send(self, prepared: PreparedGeneration) -> TaskRecord:
        request, cost = prepared.request, prepared.cost
        record_id = self._ledger.begin_submission(
            fingerprint=prepared.fingerprint,
            request=request.model_dump(mode="json"),
            image_count=len(prepared.images),
            prompt=request.prompt,
            tier=request.tier,
            estimated_credits=cost,
            sandbox=self._sandbox,
            scope=self._scope,
        )
        parts = [ImagePart(i.filename, i.content_type, i.data) for i in prepared.images]
        try:
            submitted = await self._client.submit(request, parts)
        except (NotSentError, APIError, InputError) as exc:
            self._ledger.record_rejected(record_id, getattr(exc, "code", None), str(exc))
            raise
        except OutcomeUnknownError as exc:
            self._ledger.record_outcome_unknown(record_id, str(exc))
            self._budget.spend(cost)  # assume billed: the budget errs on the safe side
            raise
        except BaseException:
            # Cancelled (or crashed) while the request may be on the wire.
            self._ledger.record_outcome_unknown(record_id, "interrupted while submitting")
            self._budget.spend(cost)
            raise
        self._budget.spend(submitted.consumed if submitted.consumed is not None else cost)
        return self._ledger.record_submitted(
            record_id,
            task_uuid=submitted.task_uuid,
            subscription_key=submitted.subscription_key,
            job_uuids=submitted.job_uuids,
            consumed=submitted.consumed,
            submit_time=submitted.submit_time,
        )
