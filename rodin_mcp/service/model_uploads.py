"""A model file to send to Rodin: named by a person or a model, checked, and read once.

The reference is a local file (checked like a local image: the allowed folders, a regular file),
the resource URI of a file downloaded here (found through the ledger), or an upload (found by
:mod:`.uploaded_inputs`). Before anything is sent
the file must be at most :data:`~rodin_mcp.api.MAX_MODEL_BYTES` and hold a 3D model by its
content, whatever its name says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from rodin_mcp.api import ModelPart, check_model_size
from rodin_mcp.errors import ModelInputError
from rodin_mcp.inputs.model_files import (
    DownloadedFileReference,
    UploadReference,
    local_model_file,
    parse_model_reference,
)
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.ledger import Ledger
from rodin_mcp.media_types import MEDIA_TYPES
from rodin_mcp.model.sniffing import model_format
from rodin_mcp.people import Person
from rodin_mcp.service.inspecting import downloaded_path
from rodin_mcp.service.reach import may_read_local_files
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.settings import Settings

__all__ = ["ModelUpload", "load_model_upload"]


@dataclass(frozen=True, repr=False)
class ModelUpload:
    """A checked model file, read into memory.

    Attributes:
        format: Its format by content (``glb``, ``usdz``, ``fbx``, ``obj`` or ``stl``).
        sha256: Hex SHA-256 of its bytes.
        task_uuid: The task it was downloaded for, when it is a download.
        name: The file's own name (kept in the ledger to name the result folder; never sent).
        data: Its bytes.
    """

    format: str
    sha256: str
    task_uuid: str | None
    name: str
    data: bytes = field(compare=False)

    def __repr__(self) -> str:
        return f"ModelUpload({self.format!r}, {len(self.data)} bytes, {self.sha256[:12]})"

    @property
    def part(self) -> ModelPart:
        """The multipart ``model`` part: a neutral file name, the format's MIME type."""
        content_type = MEDIA_TYPES.get(self.format, "application/octet-stream")
        return ModelPart(f"model.{self.format}", content_type, self.data)

    @property
    def source(self) -> str:
        """Where it came from, for the ledger: its task, or the file's SHA-256."""
        return self.task_uuid or self.sha256


async def load_model_upload(
    reference: str,
    person: Person,
    settings: Settings,
    ledger: Ledger,
    uploaded: UploadedInputs,
) -> ModelUpload:
    """Check and read the model file ``reference`` names for ``person`` (an upload among
    ``uploaded``, which the caller uses up).

    Raises:
        ModelInputError: the reference is unusable, the file may not or cannot be read, or it
            holds no 3D model.
        FileNotDownloadedError: a resource URI names a file not downloaded here.
        UploadRefusedError: an upload URI names no usable upload of ``person``'s.
        RequestValidationError: the file is larger than Rodin accepts.
    """
    parsed = parse_model_reference(reference, local_files=may_read_local_files(person, settings))
    if isinstance(parsed, DownloadedFileReference):
        path, shown = await downloaded_path(parsed, person, ledger), parsed.name
        task_uuid, name = parsed.task_uuid, path.name
    elif isinstance(parsed, UploadReference):
        found = await uploaded.model_file(parsed)
        path, shown, task_uuid, name = found.path, found.uri, None, found.name
    else:
        local = await anyio.to_thread.run_sync(local_model_file, parsed, settings)
        path, shown, task_uuid = local.real, str(local.path), None
        name = path.name
    fmt, data = await anyio.to_thread.run_sync(_read_model, path, safe_reference(shown))
    return ModelUpload(fmt, hashlib.sha256(data).hexdigest(), task_uuid, name, data)


def _read_model(path: Path, shown: str) -> tuple[str, bytes]:
    try:
        check_model_size(path.stat().st_size)
        fmt = model_format(path)
        if fmt is None:
            raise ModelInputError(
                f"{shown} is not a 3D model: its content is not GLB, USDZ, FBX, OBJ or STL.",
                reference=shown,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ModelInputError(
            f"Cannot read {shown}: {exc.strerror or type(exc).__name__}.", reference=shown
        ) from None
    check_model_size(len(data))  # it may have grown since it was measured
    return fmt, data
