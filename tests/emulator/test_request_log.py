"""The request log: every request recorded, faulted ones included, with no secrets in it."""

from __future__ import annotations

import httpx2

from rodin_mcp.emulator import RunningEmulator
from tests.emulator.helpers import png, submit


def test_each_request_is_recorded_with_endpoint_fields_images_and_status(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    submit(client, {"prompt": "a cup", "tier": "Sketch"}, [png(), png()])
    client.post("status", json={"subscription_key": "nope"})
    client.get("check_balance")

    rodin, status, balance = emulator.requests

    assert (rodin.method, rodin.path, rodin.endpoint) == ("POST", "/api/v2/rodin", "rodin")
    assert rodin.fields == {"prompt": ["a cup"], "tier": ["Sketch"]}
    assert rodin.image_parts == 2
    assert rodin.status == 201
    assert rodin.content_type == "multipart/form-data"
    assert rodin.task_uuid == emulator.tasks[0].uuid
    assert status.fields == {"subscription_key": ["nope"]}
    assert status.endpoint == "status"
    assert status.task_uuid is None
    assert (balance.endpoint, balance.status, balance.authorized) == ("check_balance", 200, True)


def test_faulted_and_unauthorized_requests_are_recorded_too(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("check_balance=503")
    client.get("check_balance")
    httpx2.get(f"{emulator.base_url}/check_balance")

    faulted, unauthorized = emulator.requests

    assert faulted.status == 503
    assert faulted.fault == "check_balance=503:times=1"
    assert unauthorized.status == 401
    assert unauthorized.authorized is False


def test_the_log_never_holds_the_api_key_or_an_asset_signature(
    emulator: RunningEmulator, client: httpx2.Client, sentinel_api_key: str
) -> None:
    url = emulator.signed_url(10)
    signature = httpx2.URL(url).params["sig"]
    submit(client, {"prompt": "a cup"})
    httpx2.get(url)

    dump = repr(emulator.requests) + repr([r.as_dict() for r in emulator.requests])

    assert sentinel_api_key not in dump
    assert signature not in dump
    assert emulator.requests[-1].path == "/_files/_synthetic/10.bin"
    assert emulator.requests[-1].endpoint == "asset"


def test_the_log_is_a_snapshot_that_later_requests_do_not_change(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    client.get("check_balance")
    before = emulator.requests

    client.get("check_balance")

    assert len(before) == 1
    assert len(emulator.requests) == 2


def test_reset_forgets_requests_tasks_and_faults_and_restores_the_balance(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    submit(client, {"prompt": "a cup"})
    emulator.faults.add("status=500")

    emulator.reset()

    assert emulator.requests == []
    assert emulator.tasks == []
    assert len(emulator.faults) == 0
    assert emulator.balance == 1000
