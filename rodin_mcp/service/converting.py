"""Converting a model here, for free: a downloaded file (its ``rodin://`` URI) or a local file
(checked like one to inspect) to another format, size, orientation or triangle budget.

The options are checked first (nothing is read for a bad one), then the source: a local file
passes the input checks, a downloaded one is found through the ledger (among the task's own
files and the conversions made of them), its content must be a model the conversion reads and
within :attr:`Settings.convert_max_bytes` and :attr:`Settings.convert_max_triangles`. The work
runs in a worker thread, one conversion at a time. Its files are written beside the task's
files, or in ``converted/`` of the output folder for a local model, under a name no file has:
each through a locked temporary file, linked into place only if the name is still free (never
over another file) and only once complete. Then the contact sheet, the output's facts, and a
row in the ledger (:mod:`rodin_mcp.ledger.conversions`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from pydantic import BaseModel, Field

from rodin_mcp.downloads.names import safe_file_name
from rodin_mcp.downloads.stored_files import read_stored
from rodin_mcp.downloads.temp_files import PartFile
from rodin_mcp.errors import ChangedFileError, ConversionError, RodinError
from rodin_mcp.inputs.model_files import (
    DownloadedFileReference,
    local_model_file,
    parse_model_reference,
)
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.inputs.uploaded_files import UploadReference
from rodin_mcp.ledger import ConversionStore, Ledger, new_conversion_id
from rodin_mcp.media_types import media_type
from rodin_mcp.model import ModelFacts, inspect_model_file
from rodin_mcp.model.conversion import PRESETS, ConversionPlan, plan_conversion
from rodin_mcp.people import Person
from rodin_mcp.records import ConversionRecord, StoredFile
from rodin_mcp.service.fetching import file_uri
from rodin_mcp.service.inspecting import downloaded_path
from rodin_mcp.service.reach import may_read_local_files
from rodin_mcp.service.results import ConversionSummary
from rodin_mcp.service.timestamps import iso_utc
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.settings import Settings

__all__ = [
    "CONVERTED_FOLDER",
    "ConvertResult",
    "Converter",
    "OutputFile",
    "conversion_file_uri",
    "summary_of",
]

CONVERTED_FOLDER = "converted"
"""The output folder's sub-folder that receives conversions of local files."""
SHEET_SUFFIX = ".contact_sheet.webp"
_MAX_NAME_TRIES = 1000
logger = logging.getLogger(__name__)
_NAMING = threading.Lock()
"""Choosing a free name and linking the files into place is one step per process."""


def conversion_file_uri(conversion_id: str, name: str) -> str:
    """The resource URI that serves a file of a local model's conversion."""
    return f"rodin://conversions/{quote(conversion_id, safe='')}/files/{quote(name, safe='')}"


class OutputFile(BaseModel):
    """One file a conversion wrote."""

    name: str
    path: str = Field(description="Absolute local path.")
    size: int
    sha256: str
    mime_type: str
    uri: str = Field(description="MCP resource URI that serves the file.")


class ConvertResult(BaseModel):
    """A model converted here: the new file, its facts and what was done."""

    conversion_id: str
    path: str = Field(description="Absolute path of the converted model file.")
    uri: str = Field(description="MCP resource URI that serves the converted model file.")
    files: list[OutputFile] = Field(
        description="Every file written: the model first (an OBJ's material and texture "
        "follow), then the contact sheet."
    )
    model: ModelFacts = Field(description="Facts about the converted file, as inspecting it tells.")
    contact_sheet_path: str | None = Field(
        default=None, description="Local path of the converted model's contact sheet."
    )
    source: str = Field(description="What was converted: a downloaded file's URI or a local path.")
    task_uuid: str | None = Field(
        default=None, description="The task whose file was converted, when it was one."
    )
    options: dict[str, Any] = Field(description="The conversion as done (a preset filled in).")
    preset_reason: str | None = Field(default=None, description="Why the preset does what it does.")
    source_triangles: int
    scale: float = Field(description="Factor from the source's coordinates to the file's.")
    printability: dict[str, Any] | None = Field(
        default=None,
        description="For STL and 3MF: watertight, open and non-manifold edges, volume (file "
        "unit cubed), whether it stands, whether repair closed it.",
    )
    notes: list[str] = Field(default_factory=list[str])


def summary_of(record: ConversionRecord) -> ConversionSummary:
    """A conversion's row as lists show it."""
    main = record.files[0]
    return ConversionSummary(
        conversion_id=record.conversion_id,
        converted_at=iso_utc(record.created_at),
        task_uuid=record.task_uuid,
        source=record.source,
        format=str(record.options.get("format", main.path.suffix.lstrip("."))),
        preset=record.options.get("preset"),
        path=str(main.path),
        uri=_uri(record.task_uuid, record.conversion_id, main.name),
    )


def _uri(task_uuid: str | None, conversion_id: str, name: str) -> str:
    return file_uri(task_uuid, name) if task_uuid else conversion_file_uri(conversion_id, name)


class Converter:
    """Converts models one at a time and records each conversion."""

    def __init__(self, settings: Settings, ledger: Ledger) -> None:
        self._settings = settings
        self._ledger = ledger
        self.store = ConversionStore(ledger)
        self._limiter = anyio.CapacityLimiter(1)

    async def convert(
        self,
        reference: str,
        options: Mapping[str, Any],
        person: Person,
        uploaded: UploadedInputs,
    ) -> ConvertResult:
        """Convert the model ``reference`` names as ``options`` say, for ``person`` (an upload
        is found among ``uploaded`` and used up once its conversion is recorded).

        Raises:
            ConversionError: an option is bad, or the model cannot be converted as asked.
            ModelInputError, FileNotDownloadedError, UploadRefusedError: the reference is
                unusable.
            ConverterMissingError: a library the conversion needs is not installed.
        """
        plan = plan_conversion(**dict(options))
        parsed = parse_model_reference(
            reference, local_files=may_read_local_files(person, self._settings)
        )
        task_uuid: str | None = None
        folder = self._settings.output_dir / CONVERTED_FOLDER
        if isinstance(parsed, DownloadedFileReference):
            source_path = await downloaded_path(parsed, person, self._ledger)
            task_uuid = parsed.task_uuid
            shown = file_uri(parsed.task_uuid, parsed.name)
            stem_from, folder = source_path.stem, source_path.parent
        elif isinstance(parsed, UploadReference):
            found = await uploaded.model_file(parsed)
            source_path, shown, stem_from = found.path, found.uri, Path(found.name).stem
        else:
            local = await anyio.to_thread.run_sync(local_model_file, parsed, self._settings)
            source_path, shown, stem_from = local.real, str(local.path), local.real.stem
        conversion_id = new_conversion_id()
        async with self._limiter:
            made, recorded = await anyio.to_thread.run_sync(
                self._convert, source_path, shown, stem_from, plan, folder, conversion_id, task_uuid
            )
        await self.store.add(conversion_id, person=person.key, **recorded)
        await uploaded.use_up()
        return made

    async def conversion_file(
        self, conversion_id: str, name: str, person: Person
    ) -> StoredFile | None:
        """A file of ``person``'s conversion still on disk."""
        record = await self.store.get(conversion_id, person.key)
        found = None if record is None else next((f for f in record.files if f.name == name), None)
        return found if found is not None and found.path.is_file() else None

    async def read_file(
        self, conversion_id: str, name: str, person: Person, limit: int
    ) -> bytes | None:
        """The checked bytes of a file of ``person``'s conversion, if at most ``limit``; None
        when there is no such file of theirs on disk.

        Raises:
            ChangedFileError: the file on disk is no longer the one recorded.
            FileTooLargeError: it is larger than ``limit``.
        """
        found = await self.conversion_file(conversion_id, name, person)
        if found is None:
            return None
        try:
            return await anyio.to_thread.run_sync(read_stored, found, limit)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ChangedFileError(name, exc.strerror or type(exc).__name__) from None

    # --- in the worker thread -------------------------------------------------------------

    def _convert(
        self,
        source: Path,
        shown: str,
        stem_from: str,
        plan: ConversionPlan,
        folder: Path,
        conversion_id: str,
        task_uuid: str | None,
    ) -> tuple[ConvertResult, dict[str, Any]]:
        from rodin_mcp.model.sniffing import model_format

        name = safe_reference(shown)
        size = source.stat().st_size
        if size > self._settings.convert_max_bytes:
            raise ConversionError(
                f"{name} is {size / 2**20:.0f} MiB; models of at most "
                f"{self._settings.convert_max_bytes / 2**20:.0f} MiB are converted here."
            )
        fmt = model_format(source)
        if fmt is None:
            raise ConversionError(f"{name} holds no 3D model this server reads.")
        facts = inspect_model_file(source)
        if (facts.triangle_count or 0) > self._settings.convert_max_triangles:
            raise ConversionError(
                f"{name} has {facts.triangle_count:,} triangles; models of at most "
                f"{self._settings.convert_max_triangles:,} are converted here."
            )
        digest = _sha256(source)
        folder.mkdir(parents=True, exist_ok=True)
        with _NAMING:
            stem = _free_stem(folder, stem_from, plan)
            converted = _run_pipeline(source, fmt, plan, stem, name)
            contents = dict(converted.files)
            sheet = self._sheet(converted.shown)
            if sheet is not None:
                contents[f"{stem}{SHEET_SUFFIX}"] = sheet
            stored = _publish(folder, contents)
        main = stored[0]
        facts = inspect_model_file(main.path).model_copy(update={"path": str(main.path)})
        preset = PRESETS.get(plan.preset) if plan.preset else None
        printability: dict[str, Any] | None = (
            None
            if converted.printability is None
            else converted.printability.model_dump(mode="json")
        )
        report: dict[str, Any] = {
            "source_triangles": converted.triangles_before,
            "triangles": facts.triangle_count,
            "scale": converted.scale,
            "printability": printability,
            "notes": converted.notes,
        }
        recorded: dict[str, Any] = {
            "task_uuid": task_uuid,
            "source": shown,
            "source_sha256": digest,
            "output_dir": str(folder),
            "files": stored,
            "options": plan.model_dump(mode="json"),
            "report": report,
        }
        files = [
            OutputFile(
                name=f.name,
                path=str(f.path),
                size=f.size,
                sha256=f.sha256,
                mime_type=f.mime_type,
                uri=_uri(task_uuid, conversion_id, f.name),
            )
            for f in stored
        ]
        sheet_file = next((f for f in stored if f.name.endswith(SHEET_SUFFIX)), None)
        made = ConvertResult(
            conversion_id=conversion_id,
            path=str(main.path),
            uri=files[0].uri,
            files=files,
            model=facts,
            contact_sheet_path=None if sheet_file is None else str(sheet_file.path),
            source=shown,
            task_uuid=task_uuid,
            options=plan.model_dump(mode="json"),
            preset_reason=None if preset is None else preset.why,
            source_triangles=converted.triangles_before,
            scale=converted.scale,
            printability=printability,
            notes=converted.notes,
        )
        return made, recorded

    def _sheet(self, mesh: Any) -> bytes | None:
        """The contact sheet of the converted mesh within the preview budget, or None."""
        from rodin_mcp.model import render_contact_sheet
        from rodin_mcp.model.render.file_preview import MAX_PREVIEW_TRIANGLES

        budget = self._settings.preview_seconds
        if budget <= 0 or mesh.triangle_count > MAX_PREVIEW_TRIANGLES:
            return None
        try:
            return render_contact_sheet(mesh, deadline=time.monotonic() + budget)
        except (ValueError, MemoryError) as exc:
            logger.info("no contact sheet of a conversion: %s", exc)
            return None


def _run_pipeline(source: Path, fmt: str, plan: ConversionPlan, stem: str, name: str) -> Any:
    from rodin_mcp.model.conversion.pipeline import convert_model_file

    try:
        return convert_model_file(source, fmt, plan, stem)
    except ConversionError as exc:
        if exc.field is not None:
            raise
        text = str(exc)
        raise ConversionError(f"{name} cannot be converted: {text[:1].lower()}{text[1:]}") from None
    except (RodinError, OSError):
        raise
    except MemoryError:
        raise ConversionError(
            f"{name} is too large to convert in this computer's memory."
        ) from None
    except Exception as exc:  # a hostile file can make any library fail in its own way
        logger.debug("conversion of %s failed", name, exc_info=exc)
        raise ConversionError(
            f"{name} could not be converted: the model is malformed ({type(exc).__name__})."
        ) from None


def _label(plan: ConversionPlan) -> str:
    return plan.preset or plan.format


def _free_stem(folder: Path, stem_from: str, plan: ConversionPlan) -> str:
    """A name stem none of whose output names exists in ``folder``."""
    from rodin_mcp.model.conversion.writing import output_names

    base = safe_file_name(f"{stem_from[:80]}-{_label(plan)}")
    for n in range(1, _MAX_NAME_TRIES + 1):
        stem = base if n == 1 else f"{base}-{n}"
        names = [*output_names(stem, plan.format, True), f"{stem}{SHEET_SUFFIX}"]
        if not any((folder / name).exists() for name in names):
            return stem
    raise ConversionError(f"{folder} already holds {_MAX_NAME_TRIES} conversions of this model.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _publish(folder: Path, contents: dict[str, bytes]) -> list[StoredFile]:
    """Write each file complete, then put it in place only where no file is (all or none)."""
    placed: list[Path] = []
    stored: list[StoredFile] = []
    try:
        for name, data in contents.items():
            dest = folder / name
            _write_new(dest, data)
            placed.append(dest)
            stored.append(
                StoredFile(
                    name=name,
                    path=dest,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    mime_type=media_type(name),
                    source_name=name,
                )
            )
    except BaseException:
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return stored


def _write_new(dest: Path, data: bytes) -> None:
    """``data`` at ``dest`` through a locked temporary file; never over an existing file.

    Raises:
        FileExistsError: a file appeared at ``dest`` meanwhile.
        OSError: the file cannot be written.
    """
    with PartFile(dest) as part:
        part.write(data)
        part.flush_to_disk()
        part.commit_new()
