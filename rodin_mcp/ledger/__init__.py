"""The task ledger: every paid submission, its ids, statuses and files, in one SQLite file.

:class:`Ledger` is the store; :func:`request_fingerprint` names "the same request" for the
dedupe rules; :mod:`.claims` holds what claiming a paid submission can answer;
:data:`SCHEMA_VERSION` is the schema this code writes. :mod:`.runs` and :mod:`.uploads` keep the
background runs and the uploads beside the tasks.
"""

from rodin_mcp.ledger.claims import (
    Claim,
    Claimed,
    Decision,
    InFlight,
    Reused,
    SpendLimit,
    SubmissionDraft,
    Unresolved,
)
from rodin_mcp.ledger.fingerprint import request_fingerprint
from rodin_mcp.ledger.runs import RunStore, new_run_id
from rodin_mcp.ledger.schema import SCHEMA_VERSION, migrate
from rodin_mcp.ledger.store import Ledger, Spending
from rodin_mcp.ledger.uploads import UploadStore, new_upload_id

__all__ = [
    "SCHEMA_VERSION",
    "Claim",
    "Claimed",
    "Decision",
    "InFlight",
    "Ledger",
    "Reused",
    "RunStore",
    "SpendLimit",
    "Spending",
    "SubmissionDraft",
    "Unresolved",
    "UploadStore",
    "migrate",
    "new_run_id",
    "new_upload_id",
    "request_fingerprint",
]
