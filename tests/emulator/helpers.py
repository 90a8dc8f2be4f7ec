"""Small wire helpers for the emulator tests: multipart bodies, a tiny PNG, common calls."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx2
from PIL import Image

FieldValue = str | Sequence[str]
Part = tuple[str, tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]]


def png(width: int = 16, height: int = 16, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def multipart(fields: Mapping[str, FieldValue], images: Sequence[bytes] = ()) -> list[Part]:
    """Multipart parts: one per field value (repeated for sequences), then one per image."""
    parts: list[Part] = []
    for name, value in fields.items():
        values = [value] if isinstance(value, str) else list(value)
        parts.extend((name, (None, v)) for v in values)
    parts.extend(("images", (f"{i:04d}.png", data, "image/png")) for i, data in enumerate(images))
    return parts


def submit(
    client: httpx2.Client, fields: Mapping[str, FieldValue], images: Sequence[bytes] = ()
) -> httpx2.Response:
    """POST /rodin as multipart, even without images."""
    return client.post("rodin", files=multipart(fields, images))


def submitted(
    client: httpx2.Client, fields: Mapping[str, FieldValue], images: Sequence[bytes] = ()
) -> dict[str, object]:
    """POST /rodin and return the body, asserting it is a success."""
    response = submit(client, fields, images)
    body = response.json()
    assert response.status_code == 201, body
    assert "error" not in body, body
    return body


def subscription_key(body: Mapping[str, object]) -> str:
    """``jobs.subscription_key`` of a submit body."""
    jobs = body["jobs"]
    assert isinstance(jobs, dict)
    key = jobs["subscription_key"]  # pyright: ignore[reportUnknownVariableType]
    assert isinstance(key, str)
    return key


def statuses(client: httpx2.Client, key: str) -> list[str]:
    """The job statuses ``/status`` reports now."""
    response = client.post("status", json={"subscription_key": key})
    assert response.status_code == 201, response.text
    return [job["status"] for job in response.json()["jobs"]]


def download_names(client: httpx2.Client, task_uuid: str) -> list[str]:
    """The names ``/download`` lists now."""
    response = client.post("download", json={"task_uuid": task_uuid})
    assert response.status_code == 201, response.text
    return [item["name"] for item in response.json()["list"]]


def is_json(text: str) -> bool:
    """Whether ``text`` parses as JSON."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def read_raw_into(response: httpx2.Response, received: bytearray) -> None:
    """Stream a response's raw bytes into ``received`` (which keeps what came before an error)."""
    for chunk in response.iter_raw():
        received.extend(chunk)


def file_bytes(client: httpx2.Client, task_uuid: str, name: str) -> bytes:
    """The bytes of the file ``name`` that ``/download`` lists for the task now."""
    response = client.post("download", json={"task_uuid": task_uuid})
    assert response.status_code == 201, response.text
    urls = {item["name"]: item["url"] for item in response.json()["list"]}
    assert name in urls, sorted(urls)
    fetched = httpx2.get(urls[name], timeout=30.0)
    assert fetched.status_code == 200, fetched.text
    return fetched.content


def glb_document(data: bytes) -> dict[str, Any]:
    """The JSON chunk of a GLB."""
    length = int.from_bytes(data[12:16], "little")
    document: dict[str, Any] = json.loads(data[20 : 20 + length])
    return document
