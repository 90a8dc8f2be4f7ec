"""What every paid submission is once its input is checked: a generation, a texture, a split.

:class:`~rodin_mcp.service.generation.Submissions` claims, dedupes, budgets, sends and records any
:class:`PreparedSubmission` the same way; each kind says only what it costs, what the ledger
writes down before it leaves, and how it is sent.
"""

from __future__ import annotations

from typing import Protocol

from rodin_mcp.api import RodinClient, SubmitResult
from rodin_mcp.ledger import SubmissionDraft

__all__ = ["PreparedSubmission"]


class PreparedSubmission(Protocol):
    """A paid submission whose input was checked and loaded, ready to claim and send."""

    @property
    def fingerprint(self) -> str:
        """What makes two submissions "the same request" for the dedupe rules."""
        ...

    @property
    def cost(self) -> float:
        """Credits this submission costs (from the price table)."""
        ...

    def draft(self, *, sandbox: bool, scope: str, person: str) -> SubmissionDraft:
        """What the ledger records before the request leaves."""
        ...

    async def send(self, client: RodinClient) -> SubmitResult:
        """Send the paid request once (the client never sends it twice)."""
        ...
