"""Which files of a task a person may name: the one place that decides it.

A task's files are those downloaded for it, then those conversions wrote beside them; they are what
a ``rodin://tasks/{task_uuid}/files/{name}`` URI may name, for every reader (resources,
inspection, texturing, conversion, the viewer, download links). Another person's task has none.
"""

from __future__ import annotations

from rodin_mcp.errors import FileNotDownloadedError
from rodin_mcp.ledger import ConversionStore, Ledger
from rodin_mcp.people import Person
from rodin_mcp.records import StoredFile

__all__ = ["task_file", "task_file_on_disk", "task_files"]


async def task_files(ledger: Ledger, task_uuid: str, person: Person) -> list[StoredFile]:
    """``person``'s task's files the ledger knows: downloaded ones, then converted ones (none of
    another person's task)."""
    record = await ledger.get(task_uuid, person.key)
    if record is None:
        return []
    files = list(record.files)
    for conversion in await ConversionStore(ledger).of_task(task_uuid, person.key):
        files += conversion.files
    return files


async def task_file(ledger: Ledger, task_uuid: str, name: str, person: Person) -> StoredFile | None:
    """``person``'s task's file ``name`` still on disk, or None."""
    found = next((f for f in await task_files(ledger, task_uuid, person) if f.name == name), None)
    return found if found is not None and found.path.is_file() else None


async def task_file_on_disk(
    ledger: Ledger, task_uuid: str, name: str, person: Person
) -> StoredFile:
    """As :func:`task_file`, or an error saying it is not there.

    Raises:
        FileNotDownloadedError: no such file of that person's task here.
    """
    found = await task_file(ledger, task_uuid, name, person)
    if found is None:
        raise FileNotDownloadedError(task_uuid, name)
    return found
