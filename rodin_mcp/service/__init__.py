"""The use cases of rodin-mcp, written once for both faces.

Every rule about money, waiting and files lives here (and in the rooms it calls): write-before-
send, dedupe, the unknown-outcome guard, the budget, shared polls, verified downloads, inspection.
It answers typed results (:mod:`.results`) with typed next steps (:mod:`.next_steps`), and
passes on the facts the faces quote: the request's options, the prices, the links' lifetime.

Names load on first use, so a face that only needs the request's options (the command line's
parser) does not load the ledger, the downloader or the client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rodin_mcp.api import (
        LINK_LIFETIME_SECONDS,
        MAX_IMAGES,
        MAX_MODEL_BYTES,
        PRICES,
        RESULT_RETENTION_DAYS,
        SPLITTABLE_TIER,
        GenerationRequest,
        SplitRequest,
        TextureRequest,
        option_names,
        split_option_names,
        texture_option_names,
    )
    from rodin_mcp.model import ModelFacts
    from rodin_mcp.model.conversion import (
        FORMATS,
        PRESETS,
        UNITS,
        Along,
        Origin,
        PresetName,
        TargetFormat,
        Unit,
        UpAxis,
    )
    from rodin_mcp.records import RunRecord, RunState
    from rodin_mcp.service.background_runs import RunWatcher
    from rodin_mcp.service.converting import ConvertResult
    from rodin_mcp.service.following import StatusCallback
    from rodin_mcp.service.generation import PreparedGeneration
    from rodin_mcp.service.inspecting import InspectResult
    from rodin_mcp.service.next_steps import NextAction, NextStep
    from rodin_mcp.service.opening import LEDGER_FILE, SANDBOX_API_KEY, open_service
    from rodin_mcp.service.prepared import PreparedSubmission
    from rodin_mcp.service.results import (
        BalanceResult,
        ConversionSummary,
        DownloadsResult,
        FileInfo,
        GenerateResult,
        JobInfo,
        StatusResult,
        TasksResult,
        TaskSummary,
    )
    from rodin_mcp.service.rodin_service import RodinService
    from rodin_mcp.service.splitting import PreparedSplit
    from rodin_mcp.service.task_files import DownloadLink, LinkedFile
    from rodin_mcp.service.texturing import PreparedTexture
    from rodin_mcp.service.uploads import UploadTicket
    from rodin_mcp.service.viewer_copies import ViewerFile

_WHERE: dict[str, str] = {
    "LINK_LIFETIME_SECONDS": "rodin_mcp.api.responses",
    "MAX_IMAGES": "rodin_mcp.api.request",
    "MAX_MODEL_BYTES": "rodin_mcp.api.texture_request",
    "SPLITTABLE_TIER": "rodin_mcp.api.split_request",
    "SplitRequest": "rodin_mcp.api.split_request",
    "TextureRequest": "rodin_mcp.api.texture_request",
    "split_option_names": "rodin_mcp.api.split_request",
    "texture_option_names": "rodin_mcp.api.texture_request",
    "PreparedSubmission": "rodin_mcp.service.prepared",
    "PreparedSplit": "rodin_mcp.service.splitting",
    "PreparedTexture": "rodin_mcp.service.texturing",
    "PRICES": "rodin_mcp.api.pricing",
    "RESULT_RETENTION_DAYS": "rodin_mcp.api.responses",
    "GenerationRequest": "rodin_mcp.api.request",
    "option_names": "rodin_mcp.api.request",
    "ModelFacts": "rodin_mcp.model",
    "StatusCallback": "rodin_mcp.service.following",
    "RunRecord": "rodin_mcp.records",
    "RunState": "rodin_mcp.records",
    "RunWatcher": "rodin_mcp.service.background_runs",
    "PreparedGeneration": "rodin_mcp.service.generation",
    "NextAction": "rodin_mcp.service.next_steps",
    "NextStep": "rodin_mcp.service.next_steps",
    "LEDGER_FILE": "rodin_mcp.service.opening",
    "SANDBOX_API_KEY": "rodin_mcp.service.opening",
    "open_service": "rodin_mcp.service.opening",
    "BalanceResult": "rodin_mcp.service.results",
    "ConversionSummary": "rodin_mcp.service.results",
    "ConvertResult": "rodin_mcp.service.converting",
    "FORMATS": "rodin_mcp.model.conversion",
    "PRESETS": "rodin_mcp.model.conversion",
    "UNITS": "rodin_mcp.model.conversion",
    "Along": "rodin_mcp.model.conversion",
    "Origin": "rodin_mcp.model.conversion",
    "PresetName": "rodin_mcp.model.conversion",
    "TargetFormat": "rodin_mcp.model.conversion",
    "Unit": "rodin_mcp.model.conversion",
    "UpAxis": "rodin_mcp.model.conversion",
    "DownloadsResult": "rodin_mcp.service.results",
    "FileInfo": "rodin_mcp.service.results",
    "InspectResult": "rodin_mcp.service.inspecting",
    "GenerateResult": "rodin_mcp.service.results",
    "JobInfo": "rodin_mcp.service.results",
    "StatusResult": "rodin_mcp.service.results",
    "TasksResult": "rodin_mcp.service.results",
    "TaskSummary": "rodin_mcp.service.results",
    "RodinService": "rodin_mcp.service.rodin_service",
    "ViewerFile": "rodin_mcp.service.viewer_copies",
    "DownloadLink": "rodin_mcp.service.task_files",
    "LinkedFile": "rodin_mcp.service.task_files",
    "UploadTicket": "rodin_mcp.service.uploads",
}

__all__ = [
    "FORMATS",
    "LEDGER_FILE",
    "LINK_LIFETIME_SECONDS",
    "MAX_IMAGES",
    "MAX_MODEL_BYTES",
    "PRESETS",
    "PRICES",
    "RESULT_RETENTION_DAYS",
    "SANDBOX_API_KEY",
    "SPLITTABLE_TIER",
    "UNITS",
    "Along",
    "BalanceResult",
    "ConversionSummary",
    "ConvertResult",
    "DownloadLink",
    "DownloadsResult",
    "FileInfo",
    "GenerateResult",
    "GenerationRequest",
    "InspectResult",
    "JobInfo",
    "LinkedFile",
    "ModelFacts",
    "NextAction",
    "NextStep",
    "Origin",
    "PreparedGeneration",
    "PreparedSplit",
    "PreparedSubmission",
    "PreparedTexture",
    "PresetName",
    "RodinService",
    "RunRecord",
    "RunState",
    "RunWatcher",
    "SplitRequest",
    "StatusCallback",
    "StatusResult",
    "TargetFormat",
    "TaskSummary",
    "TasksResult",
    "TextureRequest",
    "Unit",
    "UpAxis",
    "UploadTicket",
    "ViewerFile",
    "open_service",
    "option_names",
    "split_option_names",
    "texture_option_names",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'rodin_mcp.service' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
