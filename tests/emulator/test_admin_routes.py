"""The /_emulator admin endpoints: off by default, Bearer-protected, and doing what they say."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from rodin_mcp.emulator import ManualClock, RunningEmulator
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import submit

PATHS = ["requests", "faults", "account", "tasks"]


@pytest.fixture
def admin(start_emulator: StartEmulator, manual_clock: ManualClock) -> RunningEmulator:
    return start_emulator(admin=True, clock=manual_clock)


@pytest.fixture
def admin_client(admin: RunningEmulator, sentinel_api_key: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(
        base_url=f"{admin.origin}/_emulator/",
        headers={"Authorization": f"Bearer {sentinel_api_key}"},
    ) as client:
        yield client


@pytest.mark.parametrize("path", PATHS)
def test_admin_endpoints_do_not_exist_by_default(
    emulator: RunningEmulator, sentinel_api_key: str, path: str
) -> None:
    headers = {"Authorization": f"Bearer {sentinel_api_key}"}

    response = httpx2.get(f"{emulator.origin}/_emulator/{path}", headers=headers)

    assert response.status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_admin_endpoints_need_the_api_key(admin: RunningEmulator, path: str) -> None:
    response = httpx2.get(f"{admin.origin}/_emulator/{path}")

    assert response.status_code == 401


def test_admin_lists_the_request_log(
    admin: RunningEmulator, admin_client: httpx2.Client, make_client: MakeClient
) -> None:
    make_client(admin).get("check_balance")

    records = admin_client.get("requests").json()["requests"]

    assert [(r["endpoint"], r["status"]) for r in records] == [
        ("check_balance", 200),
        ("admin", None),  # this very request, still being answered
    ]


def test_admin_adds_lists_and_clears_faults(
    admin: RunningEmulator, admin_client: httpx2.Client, make_client: MakeClient
) -> None:
    added = admin_client.post("faults", content="check_balance=500:times=2")
    as_json = admin_client.post("faults", json={"spec": "status=429"})
    api = make_client(admin)
    spoiled = api.get("check_balance").status_code
    listed = admin_client.get("faults").json()["faults"]
    admin_client.delete("faults")

    assert added.status_code == as_json.status_code == 200
    assert spoiled == 500
    assert listed == ["check_balance=500:times=1", "status=429:times=1"]
    assert api.get("check_balance").status_code == 200


def test_admin_rejects_a_bad_fault_spec(admin_client: httpx2.Client) -> None:
    response = admin_client.post("faults", content="status=explode")

    assert response.status_code == 400
    assert "explode" in response.json()["message"]


def test_admin_sets_the_balance_and_reports_the_account(
    admin: RunningEmulator, admin_client: httpx2.Client, make_client: MakeClient
) -> None:
    admin_client.post("account", json={"balance": 2.5})
    submit(make_client(admin), {"prompt": "a cup"})

    account = admin_client.get("account").json()

    assert account == {"balance": 2.0, "parallelism_limit": 3, "unfinished_tasks": 1}


def test_admin_refuses_a_negative_balance(admin_client: httpx2.Client) -> None:
    response = admin_client.post("account", json={"balance": -1})

    assert response.status_code == 400


def test_admin_lists_tasks_and_resets(
    admin: RunningEmulator, admin_client: httpx2.Client, make_client: MakeClient
) -> None:
    submit(make_client(admin), {"prompt": "a cup"})
    tasks = admin_client.get("tasks").json()["tasks"]

    admin_client.post("reset")

    assert [t["prompt"] for t in tasks] == ["a cup"]
    assert admin.tasks == []
    assert admin.balance == 1000


def test_admin_rejects_json_without_a_spec(admin_client: httpx2.Client) -> None:
    response = admin_client.post("faults", json={"rules": "status=500"})

    assert response.status_code == 400
