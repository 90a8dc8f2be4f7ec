"""Download lists and the asset host: partial lists, signed URLs, expiry, streaming, faults."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import anyio
import httpx2
import pytest

from rodin_mcp.emulator import (
    AssetLink,
    EmulatorConfig,
    ManualClock,
    RunningEmulator,
    run_emulator_in_thread,
    synthetic_chunks,
)
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import download_names, read_raw_into, submitted

MIB = 1024 * 1024
CHEAP = {"tier": "Regular", "quality_override": "2000"}


@dataclass
class Host:
    emulator: RunningEmulator
    clock: ManualClock
    client: httpx2.Client
    task_uuid: str


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    """One emulator with one finished ``material=All`` task, shared by the read-only tests."""
    clock = ManualClock()
    config = EmulatorConfig(speed=1.0, clock=clock, synthetic_asset_bytes=1000)
    with (
        run_emulator_in_thread(config) as emulator,
        httpx2.Client(
            base_url=emulator.base_url + "/", headers={"Authorization": "Bearer t"}
        ) as client,
    ):
        body = submitted(client, {"prompt": "a red chair", "material": "All", **CHEAP})
        clock.advance(70)
        yield Host(emulator, clock, client, str(body["uuid"]))


def fresh_list(host: Host) -> list[dict[str, str]]:
    response = host.client.post("download", json={"task_uuid": host.task_uuid})
    assert response.status_code == 201
    return response.json()["list"]


def url_of(host: Host, name: str) -> str:
    return next(item["url"] for item in fresh_list(host) if item["name"] == name)


def test_a_finished_task_lists_model_files_preview_and_synthetic_file(host: Host) -> None:
    names = [item["name"] for item in fresh_list(host)]

    assert names == ["base_basic_pbr.glb", "base_basic_shaded.glb", "preview.webp", "synthetic.bin"]


def test_asset_urls_need_no_bearer_and_stream_with_content_length(host: Host) -> None:
    for item in fresh_list(host):
        response = httpx2.get(item["url"])

        assert response.status_code == 200, item["name"]
        assert int(response.headers["content-length"]) == len(response.content) > 0
    glb = httpx2.get(url_of(host, "base_basic_pbr.glb"))
    preview = httpx2.get(url_of(host, "preview.webp"))
    assert glb.content[:4] == b"glTF"
    assert glb.headers["content-type"] == "model/gltf-binary"
    assert preview.content[:4] == b"RIFF"
    assert preview.headers["content-type"] == "image/webp"


def test_synthetic_file_holds_the_deterministic_bytes(host: Host) -> None:
    response = httpx2.get(url_of(host, "synthetic.bin"))

    assert response.content == b"".join(synthetic_chunks(1000))


def test_head_on_an_asset_gives_its_length_without_a_body(host: Host) -> None:
    response = httpx2.head(url_of(host, "synthetic.bin"))

    assert response.status_code == 200
    assert response.headers["content-length"] == "1000"
    assert response.content == b""


def test_an_asset_url_expires_after_its_ttl_and_download_signs_a_fresh_one(host: Host) -> None:
    url = url_of(host, "preview.webp")

    host.clock.advance(599)
    still_valid = httpx2.get(url)
    host.clock.advance(1)
    expired = httpx2.get(url)
    fresh = httpx2.get(url_of(host, "preview.webp"))

    assert still_valid.status_code == 200
    assert expired.status_code == 403
    assert expired.headers["content-type"].startswith("application/xml")
    assert "<Code>AccessDenied</Code>" in expired.text
    assert "<Message>Request has expired</Message>" in expired.text
    assert fresh.status_code == 200


@pytest.mark.parametrize("part", ["sig", "expires"])
def test_a_tampered_url_is_refused_with_403(host: Host, part: str) -> None:
    url = httpx2.URL(url_of(host, "preview.webp"))
    value = url.params[part]
    tampered = url.copy_set_param(part, ("0" if value[0] != "0" else "1") + value[1:])

    response = httpx2.get(tampered)

    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_a_signed_url_to_a_missing_file_is_404(host: Host) -> None:
    response = httpx2.get(host.emulator.signed_url(f"{host.task_uuid}/nothing.glb"))

    assert response.status_code == 404
    assert "<Code>NoSuchKey</Code>" in response.text


def test_expired_fault_refuses_a_fresh_url(host: Host) -> None:
    url = url_of(host, "preview.webp")
    host.emulator.faults.add("asset=expired")

    refused = httpx2.get(url)
    accepted = httpx2.get(url)

    assert refused.status_code == 403
    assert "Request has expired" in refused.text
    assert accepted.status_code == 200


def test_truncate_fault_cuts_the_asset_after_half_its_promised_length(host: Host) -> None:
    url = url_of(host, "base_basic_pbr.glb")
    host.emulator.faults.add("asset=truncate")
    received = bytearray()

    with httpx2.stream("GET", url) as response:
        promised = int(response.headers["content-length"])
        with pytest.raises(httpx2.RemoteProtocolError):
            read_raw_into(response, received)

    assert len(received) == promised // 2


def test_drop_fault_on_an_asset_can_cut_at_a_chosen_byte(host: Host) -> None:
    url = url_of(host, "synthetic.bin")
    host.emulator.faults.add("asset=drop:bytes=100")
    received = bytearray()

    with httpx2.stream("GET", url) as response, pytest.raises(httpx2.RemoteProtocolError):
        read_raw_into(response, received)

    assert bytes(received) == b"".join(synthetic_chunks(1000))[:100]


def test_status_fault_on_an_asset_answers_storage_xml(host: Host) -> None:
    url = url_of(host, "preview.webp")
    host.emulator.faults.add("asset=503:retry_after=3")

    response = httpx2.get(url)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert "<Code>SlowDown</Code>" in response.text


def test_a_download_list_grows_from_empty_to_preview_to_every_file(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    client = make_client(start_emulator(speed=1.0, clock=manual_clock))
    task_uuid = str(submitted(client, {"prompt": "a cup", **CHEAP})["uuid"])

    seen = [download_names(client, task_uuid)]
    for seconds in (43, 27):  # geometry done at 42 s, texture at 70 s
        manual_clock.advance(seconds)
        seen.append(download_names(client, task_uuid))

    assert seen == [[], ["preview.webp"], ["base_basic_pbr.glb", "preview.webp"]]


def test_sketch_delivers_glb_whatever_format_was_asked(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    client = make_client(start_emulator(speed=1.0, clock=manual_clock))
    fields = {"prompt": "a cup", "tier": "Sketch", "geometry_file_format": "fbx"}
    task_uuid = str(submitted(client, fields)["uuid"])

    manual_clock.advance(20)

    assert download_names(client, task_uuid) == ["base_basic_pbr.glb", "preview.webp"]


def test_a_64_mib_synthetic_asset_streams_in_many_chunks_intact(emulator: RunningEmulator) -> None:
    size = 64 * MIB
    expected = hashlib.sha256()
    for chunk in synthetic_chunks(size):
        expected.update(chunk)
    received = hashlib.sha256()
    chunks = 0

    with httpx2.stream("GET", emulator.signed_url(size), timeout=30.0) as response:
        assert response.headers["content-length"] == str(size)
        for chunk in response.iter_raw():
            received.update(chunk)
            chunks += 1

    assert received.hexdigest() == expected.hexdigest()
    assert chunks > 64


def test_a_file_over_a_slow_link_arrives_whole_on_every_connection_at_once(
    start_emulator: StartEmulator,
) -> None:
    link = AssetLink(latency_seconds=0.02, bytes_per_second=8 * MIB)
    emulator = start_emulator(asset_link=link)
    sizes = [MIB + 7, 256 * 1024, 3]
    expected = [hashlib.sha256(b"".join(synthetic_chunks(size))).hexdigest() for size in sizes]

    async def fetch_all() -> list[str]:
        async with httpx2.AsyncClient(timeout=30.0) as http:
            digests = [""] * len(sizes)

            async def one(index: int) -> None:
                response = await http.get(emulator.signed_url(sizes[index]))
                assert response.headers["content-length"] == str(sizes[index])
                digests[index] = hashlib.sha256(response.content).hexdigest()

            async with anyio.create_task_group() as group:
                for index in range(len(sizes)):
                    group.start_soon(one, index)
            return digests

    assert anyio.run(fetch_all) == expected


def test_files_evicted_from_memory_come_back_identical_under_the_same_url(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    emulator = start_emulator(speed=1.0, clock=manual_clock, file_cache_tasks=1)
    client = make_client(emulator)
    first = str(submitted(client, {"prompt": "a cup", **CHEAP})["uuid"])
    second = str(submitted(client, {"prompt": "a vase", **CHEAP})["uuid"])
    manual_clock.advance(70)

    url = client.post("download", json={"task_uuid": first}).json()["list"][0]["url"]
    before = httpx2.get(url).content
    client.post("download", json={"task_uuid": second})  # evicts the first task's files
    after = httpx2.get(url).content

    assert before[:4] == b"glTF"
    assert after == before
