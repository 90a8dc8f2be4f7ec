"""Inspecting a model file named by a person or a model: a local file, a downloaded one, or an
upload.

Local files pass the input checks (allowed folders, regular file); downloaded files are found
through the ledger, uploads by :mod:`.uploaded_inputs` (the caller uses them up). Whichever it
is, the content must be a model the model room reads, and the inspection runs in a worker thread.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from rodin_mcp.errors import ModelInputError
from rodin_mcp.inputs.model_files import (
    DownloadedFileReference,
    UploadReference,
    local_model_file,
    parse_model_reference,
)
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.ledger import Ledger
from rodin_mcp.model import ModelFacts, inspect_model_file
from rodin_mcp.people import Person
from rodin_mcp.service.fetching import file_uri
from rodin_mcp.service.reach import may_read_local_files
from rodin_mcp.service.recorded_files import task_file_on_disk
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.settings import Settings

__all__ = ["InspectResult", "downloaded_path", "inspect_reference"]


class InspectResult(BaseModel):
    """Facts about one model file."""

    model: ModelFacts
    task_uuid: str | None = Field(
        default=None, description="The task the file was downloaded for, when it was."
    )
    uri: str | None = Field(
        default=None, description="MCP resource URI that serves the file, when it is a download."
    )


async def inspect_reference(
    reference: str,
    person: Person,
    settings: Settings,
    ledger: Ledger,
    uploaded: UploadedInputs,
) -> tuple[InspectResult, Path]:
    """Inspect the model file ``reference`` names for ``person``; also return the file's real
    path (an upload is found among ``uploaded``, which the caller uses up).

    Raises:
        ModelInputError: the reference is unusable, the file may not be read, or it holds no model.
        FileNotDownloadedError: a resource URI names no file downloaded here for ``person``.
        UploadRefusedError: an upload URI names no usable upload of ``person``'s.
    """
    parsed = parse_model_reference(reference, local_files=may_read_local_files(person, settings))
    if isinstance(parsed, DownloadedFileReference):
        path = await downloaded_path(parsed, person, ledger)
        facts = await _inspect(path, str(path))
        uri = file_uri(parsed.task_uuid, parsed.name)
        return InspectResult(model=facts, task_uuid=parsed.task_uuid, uri=uri), path
    if isinstance(parsed, UploadReference):
        found = await uploaded.model_file(parsed)
        facts = await _inspect(found.path, found.uri)
        return InspectResult(model=facts.model_copy(update={"path": found.uri})), found.path
    local = await anyio.to_thread.run_sync(local_model_file, parsed, settings)
    facts = await _inspect(local.real, str(local.path))
    return InspectResult(model=facts.model_copy(update={"path": str(local.path)})), local.real


async def downloaded_path(
    reference: DownloadedFileReference, person: Person, ledger: Ledger
) -> Path:
    """The file on disk a task file's resource URI names, if it is ``person``'s.

    Raises:
        FileNotDownloadedError: no such file of theirs here (another person's is unknown to
            them), or it is gone.
    """
    found = await task_file_on_disk(ledger, reference.task_uuid, reference.name, person)
    return found.path


async def _inspect(path: Path, shown: str) -> ModelFacts:
    name = safe_reference(shown)
    try:
        facts = await anyio.to_thread.run_sync(inspect_model_file, path)
    except OSError as exc:
        raise ModelInputError(
            f"Cannot read {name}: {exc.strerror or type(exc).__name__}.", reference=name
        ) from None
    if facts.format == "unknown":
        raise ModelInputError(
            f"{name} is not a 3D model this server reads: its content is not GLB, OBJ, STL, FBX, "
            "USDZ or 3MF.",
            reference=name,
        )
    return facts
