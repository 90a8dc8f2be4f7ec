"""The use cases of rodin-mcp, written once for both faces.

Every rule about money, waiting and files lives here (and in the rooms it calls): write-before-
send, dedupe, the unknown-outcome guard, the budget, shared polls, verified downloads, inspection.
It answers typed results (:mod:`.results`) with typed next steps (:mod:`.next_steps`), and
passes on the facts the faces quote: the request's options, the prices, the links' lifetime.
"""

from rodin_mcp.api import (
    LINK_LIFETIME_SECONDS,
    PRICES,
    RESULT_RETENTION_DAYS,
    GenerationRequest,
    option_names,
)
from rodin_mcp.service.following import StatusCallback
from rodin_mcp.service.generation import PreparedGeneration
from rodin_mcp.service.next_steps import NextAction, NextStep
from rodin_mcp.service.opening import LEDGER_FILE, SANDBOX_API_KEY, open_service
from rodin_mcp.service.results import (
    BalanceResult,
    DownloadsResult,
    FileInfo,
    GenerateResult,
    JobInfo,
    StatusResult,
    TasksResult,
    TaskSummary,
)
from rodin_mcp.service.rodin_service import RodinService

__all__ = [
    "LEDGER_FILE",
    "LINK_LIFETIME_SECONDS",
    "PRICES",
    "RESULT_RETENTION_DAYS",
    "SANDBOX_API_KEY",
    "BalanceResult",
    "DownloadsResult",
    "FileInfo",
    "GenerateResult",
    "GenerationRequest",
    "JobInfo",
    "NextAction",
    "NextStep",
    "PreparedGeneration",
    "RodinService",
    "StatusCallback",
    "StatusResult",
    "TaskSummary",
    "TasksResult",
    "open_service",
    "option_names",
]
