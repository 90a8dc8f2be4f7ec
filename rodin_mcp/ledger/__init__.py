"""The task ledger: every paid submission, its ids, statuses and files, on one of two engines.

:class:`Ledger` is the store, opened on a SQLite file (:func:`open_sqlite_ledger`: one machine)
or a PostgreSQL server (:func:`open_postgres_ledger`: replicas); :func:`request_fingerprint`
names "the same request" for the dedupe rules; :mod:`.claims` holds what claiming a paid
submission can answer; :data:`SCHEMA_VERSION` is the SQLite schema this code writes.
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
from rodin_mcp.ledger.conversions import ConversionStore, new_conversion_id
from rodin_mcp.ledger.fingerprint import request_fingerprint
from rodin_mcp.ledger.opening import open_postgres_ledger, open_sqlite_ledger
from rodin_mcp.ledger.runs import RunStore, new_run_id
from rodin_mcp.ledger.schema import SCHEMA_VERSION, migrate
from rodin_mcp.ledger.store import Ledger, Spending
from rodin_mcp.ledger.uploads import UploadStore, new_upload_id

__all__ = [
    "SCHEMA_VERSION",
    "Claim",
    "Claimed",
    "ConversionStore",
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
    "new_conversion_id",
    "new_run_id",
    "new_upload_id",
    "open_postgres_ledger",
    "open_sqlite_ledger",
    "request_fingerprint",
]
