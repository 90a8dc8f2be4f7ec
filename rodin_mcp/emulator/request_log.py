"""The request log: one record per request the emulator received, faulted ones included.

Records hold what tests need to assert on (method, path, endpoint, status, form or JSON fields,
image count, each file part's name, file name, type, size and SHA-256, the fault applied, the task
created) and never the ``Authorization`` value, file bytes or an asset URL's query string (which
holds the signature).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, field, replace

__all__ = ["FilePart", "RequestLog", "RequestRecord", "endpoint_of"]


@dataclass(frozen=True)
class FilePart:
    """One file part of a multipart request, without its bytes.

    Attributes:
        name: The form field name (``images``, ``image``, ``model``, ...).
        filename: The file name the client gave, if any.
        content_type: The part's content type, if any.
        size: Its length in bytes.
        sha256: The hex SHA-256 of its bytes.
    """

    name: str
    filename: str | None
    content_type: str | None
    size: int
    sha256: str


@dataclass
class RequestRecord:
    """What the emulator saw of one request, and what it answered.

    Attributes:
        time: The emulator clock when the request arrived.
        method: HTTP method.
        path: URL path, without the query string.
        endpoint: ``rodin``, ``rodin_texture_only``, ``bang``, ``status``, ``download``,
            ``check_balance``, ``asset``, ``admin`` or ``other``.
        content_type: The request's media type, without parameters.
        authorized: Whether a valid Bearer token came with it.
        fields: Text fields by name (form or JSON), values in arrival order; file bytes excluded.
        image_parts: How many ``images`` parts the request carried.
        file_parts: Every file part of ``/rodin_texture_only`` and ``/bang``, and each image sent
            as a file part to ``/rodin``, in arrival order.
        status: The HTTP status sent, or ``None`` while no answer has started.
        fault: The spec of the fault rule applied, if any.
        task_uuid: The task this request created (submits only).
    """

    time: float
    method: str
    path: str
    endpoint: str
    content_type: str | None = None
    authorized: bool = False
    fields: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    image_parts: int = 0
    file_parts: list[FilePart] = field(default_factory=list[FilePart])
    status: int | None = None
    fault: str | None = None
    task_uuid: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The record as plain JSON-ready data."""
        return asdict(self)


_API_PREFIX = "/api/v2/"
_API_ENDPOINTS = frozenset(
    {"rodin", "rodin_texture_only", "bang", "status", "download", "check_balance"}
)


def endpoint_of(path: str) -> str:
    """The endpoint name a path belongs to."""
    if path.startswith(_API_PREFIX) and path[len(_API_PREFIX) :] in _API_ENDPOINTS:
        return path[len(_API_PREFIX) :]
    if path.startswith("/_files/"):
        return "asset"
    if path.startswith("/_emulator/"):
        return "admin"
    return "other"


class RequestLog:
    """Thread-safe list of :class:`RequestRecord`, keeping the most recent ``limit`` records."""

    def __init__(self, limit: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=limit)

    def append(self, record: RequestRecord) -> None:
        """Add a record; the emulator keeps filling it in while the request runs."""
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        """Copies of every record so far, oldest first."""
        with self._lock:
            return [
                replace(
                    r,
                    fields={k: list(v) for k, v in r.fields.items()},
                    file_parts=list(r.file_parts),
                )
                for r in self._records
            ]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
