"""Uploads in the service: made for a person, received once over a signed link, used once, swept.

The service runs on a clock the tests move by hand, against the emulator; the bodies are async
iterables as the HTTP route hands them over.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from PIL import Image

from rodin_mcp.emulator import ManualClock
from rodin_mcp.errors import ImageInputError, UploadRefusedError
from rodin_mcp.ledger import UploadStore, open_sqlite_ledger
from rodin_mcp.people import Person
from rodin_mcp.records import UploadKind, UploadState
from rodin_mcp.service import LEDGER_FILE, RodinService, UploadTicket
from rodin_mcp.settings import Settings
from tests.emulator.models import glb_model
from tests.file_rules import WindowsFileRules
from tests.service.conftest import open_local_service

pytestmark = pytest.mark.anyio

BOB = Person(key="token:bob", name="bob")


def _png(color: tuple[int, int, int] = (10, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="PNG")
    return out.getvalue()


async def _body(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _send(service: RodinService, ticket: UploadTicket, data: bytes) -> None:
    await service.receive_upload(ticket.upload_id, ticket.expires, ticket.signature, _body(data))


def _uploads(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


async def _refused(service: RodinService, images: list[str]) -> UploadRefusedError:
    with pytest.raises(UploadRefusedError) as raised:
        await service.prepare({}, images)
    return raised.value


async def test_a_received_upload_unused_past_its_time_is_refused_as_expired_and_swept(
    fast_settings: Settings, manual_clock: ManualClock
) -> None:
    async with open_local_service(fast_settings, manual_clock) as service:
        ticket = await service.create_upload(UploadKind.IMAGE, name="leaf.png")
        await _send(service, ticket, _png())
        assert len(_uploads(fast_settings)) == 1
        manual_clock.advance(fast_settings.upload_seconds + 1)

        refused = await _refused(service, [ticket.uri])

        assert refused.reason == "expired"
        assert await service.sweep_uploads() == 1
        assert _uploads(fast_settings) == []
        assert (await _refused(service, [ticket.uri])).reason == "expired"


async def test_a_call_refused_for_another_input_leaves_its_upload_usable_once(
    fast_settings: Settings, file_rules: WindowsFileRules | None
) -> None:
    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE)
        await _send(service, ticket, _png())
        with pytest.raises(ImageInputError):
            await service.prepare({}, [ticket.uri, "data:image/png;base64,bm90IGFuIGltYWdl"])

        prepared = await service.prepare({}, [ticket.uri])

        assert prepared.images[0].data == _png()
        assert (await _refused(service, [ticket.uri])).reason == "used"
        assert _uploads(fast_settings) == []


async def test_another_persons_upload_is_refused_exactly_as_an_unknown_one(
    fast_settings: Settings,
) -> None:
    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE)
        await _send(service, ticket, _png())
        bob = service.acting_for(BOB)
        theirs = await _refused(bob, [ticket.uri])
        unknown = await _refused(bob, ["upload://" + "x" * 32])
        assert (theirs.reason, unknown.reason) == ("unknown", "unknown")
        assert str(theirs).replace(ticket.upload_id, "ID") == str(unknown).replace("x" * 32, "ID")
        assert await service.prepare({}, [ticket.uri])  # still the maker's to use


async def test_of_two_bodies_sent_at_once_exactly_one_is_kept(
    fast_settings: Settings, file_rules: WindowsFileRules | None
) -> None:
    first, second = _png((1, 2, 3)), _png((4, 5, 6))
    released = anyio.Event()
    outcomes: dict[str, str] = {}

    async def slow(data: bytes) -> AsyncIterator[bytes]:
        yield data[:10]
        await released.wait()
        yield data[10:]

    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE)

        async def send(label: str, data: bytes) -> None:
            try:
                await service.receive_upload(
                    ticket.upload_id, ticket.expires, ticket.signature, slow(data)
                )
                outcomes[label] = "kept"
            except UploadRefusedError as exc:
                outcomes[label] = exc.reason

        async with anyio.create_task_group() as group:
            group.start_soon(send, "first", first)
            group.start_soon(send, "second", second)
            await anyio.wait_all_tasks_blocked()
            released.set()

        assert sorted(outcomes.values()) == ["kept", "received"]
        kept = first if outcomes["first"] == "kept" else second
        assert [p.read_bytes() for p in _uploads(fast_settings)] == [kept]
        assert (await service.prepare({}, [ticket.uri])).images[0].data == kept


async def test_a_body_over_the_limit_is_refused_whole_and_the_link_still_takes_one(
    fast_settings: Settings,
) -> None:
    settings = fast_settings.model_copy(update={"max_image_bytes": 100})
    async with open_local_service(settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE)
        big = _body(b"\x89PNG\r\n\x1a\n", b"\0" * 60, b"\0" * 60)
        with pytest.raises(UploadRefusedError) as raised:
            await service.receive_upload(ticket.upload_id, ticket.expires, ticket.signature, big)
        assert raised.value.reason == "too_large"
        assert _uploads(settings) == []  # no partial file either

        small = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
        await _send(service, ticket, small)
        assert [p.read_bytes() for p in _uploads(settings)] == [small]


async def test_an_altered_or_expired_link_receives_nothing(
    fast_settings: Settings, manual_clock: ManualClock
) -> None:
    async with open_local_service(fast_settings, manual_clock) as service:
        ticket = await service.create_upload(UploadKind.MODEL)
        for expires, signature in (
            (ticket.expires + 60, ticket.signature),
            (ticket.expires, ticket.signature[:-2] + "AA"),
        ):
            with pytest.raises(UploadRefusedError) as raised:
                await service.receive_upload(ticket.upload_id, expires, signature, _body(b"glTF"))
            assert raised.value.reason == "invalid_link"
        manual_clock.advance(fast_settings.upload_seconds)
        with pytest.raises(UploadRefusedError) as raised:
            await _send(service, ticket, b"glTF")
        assert raised.value.reason == "expired"
        assert _uploads(fast_settings) == []


async def test_a_model_upload_is_inspected_once_and_its_file_removed(
    fast_settings: Settings, file_rules: WindowsFileRules | None
) -> None:
    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.MODEL, name="mug.glb")
        await _send(service, ticket, glb_model())

        result, sheet = await service.inspect_model(ticket.uri, preview=True)

        assert (result.model.format, result.model.path) == ("glb", ticket.uri)
        assert sheet is not None
        assert _uploads(fast_settings) == []
        with pytest.raises(UploadRefusedError) as raised:
            await service.inspect_model(ticket.uri)
        assert raised.value.reason == "used"


async def test_a_stored_upload_changed_on_disk_is_refused(fast_settings: Settings) -> None:
    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE)
        await _send(service, ticket, _png())
        (stored,) = _uploads(fast_settings)
        data = bytearray(stored.read_bytes())
        data[-5] ^= 0xFF
        stored.write_bytes(bytes(data))

        refused = await _refused(service, [ticket.uri])

        assert refused.reason == "changed"
        assert "SHA-256" in str(refused)


async def test_an_upload_is_made_waiting_for_its_maker_with_a_safe_name(
    fast_settings: Settings,
) -> None:
    async with open_local_service(fast_settings) as service:
        ticket = await service.create_upload(UploadKind.IMAGE, name="../../etc/pass\u0000wd.png")
        assert ticket.uri == f"upload://{ticket.upload_id}"
        assert ticket.max_bytes == fast_settings.max_image_bytes
        assert (await _refused(service, [ticket.uri])).reason == "waiting"
        with pytest.raises(UploadRefusedError) as raised:
            await service.create_upload(UploadKind.IMAGE, size=fast_settings.max_image_bytes + 1)
        assert raised.value.reason == "too_large"
    async with await open_sqlite_ledger(fast_settings.data_dir / LEDGER_FILE) as ledger:
        record = await UploadStore(ledger).get(ticket.upload_id)
    assert record is not None
    assert (record.state, record.person, record.name) == (
        UploadState.WAITING,
        "local",
        "pass_wd.png",
    )
