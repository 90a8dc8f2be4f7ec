"""Paid submissions: checked, deduplicated, guarded by the budget, and recorded before they leave.

Every submission is some person's: "identical" means identical for that person, and their budget
(``RODIN_MAX_CREDITS`` over the rolling ``RODIN_BUDGET_PERIOD_SECONDS``, counted by the ledger
over every process on the data folder, in-flight claims included) is checked in the same ledger
transaction that claims it, so two processes racing on the last credits cannot both pass.

A generation, a texture (:mod:`.texturing`) and a part split (:mod:`.splitting`) all go through
:class:`Submissions` as a :class:`~rodin_mcp.service.prepared.PreparedSubmission`.

* The options and images are checked, and the images loaded, once per call
  (:meth:`Submissions.prepare`); nothing is recorded for input that cannot be used.
* An identical request (same options and image hashes, same Rodin) accepted within the dedupe
  window returns the existing task instead of paying again, unless ``force_new``.
* An identical request whose earlier submission has an unknown outcome is refused until
  ``force_new``: that earlier one may have been billed.
* An identical request being sent right now (by this or another process on the data folder) is
  waited for, then reused; it is never sent twice.
* The submission is claimed in the ledger (``submitting``, owned by this process) before its
  request leaves, then its ids; a refusal marks it ``rejected``; a lost answer or a cancellation
  marks it ``unknown``, and so does the owner's death (:mod:`rodin_mcp.ledger.claims`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from rodin_mcp.api import GenerationRequest, ImagePart, RodinClient, SubmitResult, check_images
from rodin_mcp.api.pricing import estimated_credits
from rodin_mcp.errors import (
    APIError,
    InputError,
    LedgerUnavailableError,
    NotSentError,
    OutcomeUnknownError,
    SubmissionInFlightError,
    UnresolvedSubmissionError,
)
from rodin_mcp.inputs import LoadedImage, load_images
from rodin_mcp.ledger import (
    Claimed,
    InFlight,
    Ledger,
    Reused,
    SpendLimit,
    SubmissionDraft,
    Unresolved,
    request_fingerprint,
)
from rodin_mcp.people import Person
from rodin_mcp.records import TaskRecord
from rodin_mcp.service.prepared import PreparedSubmission
from rodin_mcp.service.reach import may_read_local_files
from rodin_mcp.service.timestamps import iso_utc
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.service.uploads import Uploads
from rodin_mcp.settings import Settings

__all__ = ["PreparedGeneration", "Submissions"]

logger = logging.getLogger(__name__)

_IN_FLIGHT_POLL_SECONDS = 0.1
"""How often a request waiting on an identical one in flight reads the ledger again."""


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

    def draft(self, *, sandbox: bool, scope: str, person: str) -> SubmissionDraft:
        """The ledger row written before the generation leaves."""
        request = self.request
        return SubmissionDraft(
            fingerprint=self.fingerprint,
            request=request.model_dump(mode="json"),
            image_count=len(self.images),
            prompt=request.prompt,
            tier=request.tier,
            estimated_credits=self.cost,
            sandbox=sandbox,
            scope=scope,
            person=person,
        )

    async def send(self, client: RodinClient) -> SubmitResult:
        """``POST /rodin`` with the images, once."""
        parts = [ImagePart(i.filename, i.content_type, i.data) for i in self.images]
        return await client.submit(self.request, parts)


class Submissions:
    """The paid side of the service: prepare, dedupe or refuse, and submit."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        client: RodinClient,
        uploads: Uploads,
        *,
        sandbox: bool,
        scope: str,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._client = client
        self._uploads = uploads
        self._limit = SpendLimit(settings.max_credits, settings.budget_period_seconds)
        self._sandbox = sandbox
        self._scope = scope

    async def prepare(
        self, options: Mapping[str, Any], image_refs: Sequence[str], person: Person
    ) -> PreparedGeneration:
        """Check the options, then load and check ``person``'s images (in that order); the uploads
        among them are used up once all are loaded.

        Raises:
            InputError: the options or images cannot be used; nothing was sent or recorded.
        """
        request = GenerationRequest.model_validate(dict(options))
        check_images(request, len(image_refs))
        local_files = may_read_local_files(person, self._settings)
        uploaded = UploadedInputs(self._uploads, person)
        images = await load_images(
            list(image_refs), self._settings, local_files=local_files, uploads=uploaded
        )
        fingerprint = request_fingerprint(
            request.model_dump(mode="json"), [image.sha256 for image in images]
        )
        await uploaded.use_up()
        return PreparedGeneration(request, tuple(images), fingerprint)

    async def would_spend(
        self, prepared: PreparedSubmission, person: Person, *, force_new: bool
    ) -> bool:
        """Whether :meth:`submit` would send (and pay for) this generation now."""
        decision = await self._ledger.peek_submission(
            self._draft(prepared, person),
            window_seconds=self._settings.dedupe_window_seconds,
            force_new=force_new,
        )
        return decision is None

    async def submit(
        self, prepared: PreparedSubmission, person: Person, *, force_new: bool
    ) -> tuple[TaskRecord, bool]:
        """Submit for ``person``, or find their identical recent task; returns the record and
        whether it was reused.

        An identical request another process (or call) is sending right now is waited for, up
        to ``in_flight_wait_seconds``; its task is then reused. Nothing is sent twice.

        Raises:
            GuardError: the budget is spent, an identical submission's outcome is unknown, or an
                identical one in flight had no answer in time.
            OutcomeUnknownError: the submission may have been billed; it is recorded.
            APIError, NotSentError, InputError: Rodin refused it, or could not be reached.
        """
        claim = await self._claim(prepared, person, force_new)
        if isinstance(claim, Reused):
            return claim.record, True
        return await self._send(prepared, claim.record_id), False

    async def _claim(
        self, prepared: PreparedSubmission, person: Person, force_new: bool
    ) -> Claimed | Reused:
        draft = self._draft(prepared, person)
        waited_since = anyio.current_time()
        wait = self._settings.in_flight_wait_seconds
        while True:
            claim = await self._ledger.claim_submission(
                draft,
                window_seconds=self._settings.dedupe_window_seconds,
                force_new=force_new,
                limit=self._limit,
            )
            match claim:
                case Claimed() | Reused():
                    return claim
                case Unresolved(record):
                    raise UnresolvedSubmissionError(
                        record.error, sent_at=iso_utc(record.created_at)
                    )
                case InFlight():
                    waited = anyio.current_time() - waited_since
                    if waited >= wait:
                        raise SubmissionInFlightError(waited_seconds=waited)
                    await anyio.sleep(min(_IN_FLIGHT_POLL_SECONDS, wait - waited))

    async def _confirm(self, record_id: int) -> None:
        """Send nothing unless the claim is provably still ours (fail closed: a replica that lost
        the database, or whose claim another replica judged abandoned, stops here).

        Raises:
            LedgerUnavailableError: the claim cannot be confirmed; nothing was sent.
        """
        try:
            mine = await self._ledger.confirm_claim(record_id)
        except LedgerUnavailableError:
            await self._release(record_id, "never sent: the ledger could not confirm the claim")
            raise
        if not mine:
            await self._release(record_id, "never sent: the claim was taken over before it left")
            raise LedgerUnavailableError("the claim on this request was taken over; retry")

    async def _release(self, record_id: int, reason: str) -> None:
        """Mark a claim never sent (best effort: the ledger may be out of reach right now)."""
        with anyio.CancelScope(shield=True):
            try:
                await self._ledger.record_rejected(record_id, None, reason)
            except (LedgerUnavailableError, LookupError):
                logger.warning("could not release claim %d: %s", record_id, reason)

    def _draft(self, prepared: PreparedSubmission, person: Person) -> SubmissionDraft:
        return prepared.draft(sandbox=self._sandbox, scope=self._scope, person=person.key)

    async def _send(self, prepared: PreparedSubmission, record_id: int) -> TaskRecord:
        await self._confirm(record_id)
        try:
            submitted = await prepared.send(self._client)
        except (NotSentError, APIError, InputError) as exc:
            with anyio.CancelScope(shield=True):
                await self._ledger.record_rejected(record_id, getattr(exc, "code", None), str(exc))
            raise
        except OutcomeUnknownError as exc:
            # Still counted against the budget: it may have been billed.
            with anyio.CancelScope(shield=True):
                await self._ledger.record_outcome_unknown(record_id, str(exc))
            raise
        except BaseException:
            # Cancelled (or crashed) while the request may be on the wire.
            with anyio.CancelScope(shield=True):
                await self._ledger.record_outcome_unknown(record_id, "interrupted while submitting")
            raise
        recorded: TaskRecord | None = None
        with anyio.CancelScope(shield=True):  # the task id must be kept, whatever comes
            recorded = await self._ledger.record_submitted(
                record_id,
                task_uuid=submitted.task_uuid,
                subscription_key=submitted.subscription_key,
                job_uuids=submitted.job_uuids,
                consumed=submitted.consumed,
                submit_time=submitted.submit_time,
            )
        assert recorded is not None
        return recorded
