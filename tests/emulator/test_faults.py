"""The fault plan: its spec grammar, and every fault as a real httpx2 client observes it."""

from __future__ import annotations

import httpx2
import pytest

from rodin_mcp.emulator import Fault, FaultAction, FaultPlan, ManualClock, RunningEmulator
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import (
    is_json,
    read_raw_into,
    statuses,
    submit,
    submitted,
    subscription_key,
)

TEXT = {"prompt": "a wooden chair"}


# --- the spec --------------------------------------------------------------------------------


def test_the_documented_example_spec_parses_into_three_rules() -> None:
    plan = FaultPlan.parse(
        "status=429:times=2:retry_after=1;rodin=drop:accept;asset=truncate:p=0.5"
    )

    assert [(f.target, f.action, f.times) for f in plan.faults] == [
        ("status", FaultAction.HTTP_STATUS, 2),
        ("rodin", FaultAction.DROP, 1),
        ("asset", FaultAction.TRUNCATE, None),
    ]
    assert plan.faults[0].http_status == 429
    assert plan.faults[0].retry_after == 1.0
    assert plan.faults[1].accept is True
    assert plan.faults[2].probability == 0.5


@pytest.mark.parametrize(
    "spec",
    [
        "status=429:times=2:retry_after=1",
        "rodin=drop:accept:bytes=10",
        "rodin=stall:seconds=2.5:reject",
        "api=503:times=*",
        "download=error:code=API_NO_ACTIVE_SUBSCRIPTION:message=no plan:status=201",
        "asset=truncate:p=0.25:times=*:after=3",
        "asset=expired",
        "rodin=fail:times=4",
        "check_balance=bad_json",
        "rodin_texture_only=fail",
        "bang=503:accept",
    ],
)
def test_a_rule_prints_back_to_a_spec_that_parses_to_the_same_rule(spec: str) -> None:
    rule = Fault.parse(spec)

    assert Fault.parse(rule.spec()) == rule


@pytest.mark.parametrize(
    "spec",
    [
        "status",
        "status=",
        "nowhere=500",
        "status=explode",
        "status=200",
        "status=600",
        "rodin=error",
        "status=fail",
        "rodin=expired",
        "asset=bad_json",
        "status=500:times=0",
        "status=500:times=x",
        "status=500:p=2",
        "status=500:wibble=1",
        "status=500:loudly",
        "status=500:status=503",
    ],
)
def test_a_malformed_rule_is_rejected_with_a_value_error(spec: str) -> None:
    with pytest.raises(ValueError, match="fault rule"):
        FaultPlan.parse(spec)


def test_rules_can_be_separated_by_newlines_and_blanks_are_ignored() -> None:
    plan = FaultPlan.parse("status=500\n\n; rodin=503 ;\n")

    assert [f.target for f in plan.faults] == ["status", "rodin"]


def test_submit_faults_default_to_the_realistic_outcome() -> None:
    accepted = [Fault.parse(f"rodin={a}").accepts_submission for a in ("drop", "stall", "bad_json")]
    rejected = [Fault.parse(f"rodin={a}").accepts_submission for a in ("500", "error:code=X")]

    assert accepted == [True, True, True]
    assert rejected == [False, False]


# --- HTTP status faults ----------------------------------------------------------------------


def test_429_fault_fires_n_times_with_retry_after_then_stops(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    key = subscription_key(submitted(client, TEXT))
    emulator.faults.add("status=429:times=2:retry_after=1")

    responses = [client.post("status", json={"subscription_key": key}) for _ in range(3)]

    assert [r.status_code for r in responses] == [429, 429, 201]
    assert [r.headers.get("Retry-After") for r in responses[:2]] == ["1", "1"]
    assert emulator.faults.faults == []


def test_500_fault_answers_json_and_503_answers_a_gateway_page(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("check_balance=500;check_balance=503:retry_after=2")

    first = client.get("check_balance")
    second = client.get("check_balance")

    assert first.status_code == 500
    assert first.json()["error"] == "UNKNOWN"
    assert second.status_code == 503
    assert second.headers["content-type"].startswith("text/html")
    assert second.headers["Retry-After"] == "2"


def test_status_fault_on_submit_creates_nothing_by_default(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=500")

    response = submit(client, TEXT)

    assert response.status_code == 500
    assert emulator.tasks == []
    assert emulator.balance == 1000


def test_status_fault_on_submit_with_accept_creates_and_bills_the_task(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=500:accept")

    response = submit(client, TEXT)

    assert response.status_code == 500
    assert len(emulator.tasks) == 1
    assert emulator.balance == 999.5
    assert emulator.requests[-1].task_uuid == emulator.tasks[0].uuid


def test_api_target_spoils_every_api_endpoint_but_not_assets(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("api=503:times=*")

    codes = [
        submit(client, TEXT).status_code,
        client.post("status", json={"subscription_key": "k"}).status_code,
        client.post("download", json={"task_uuid": "u"}).status_code,
        client.get("check_balance").status_code,
    ]
    asset = httpx2.get(emulator.signed_url(10))
    emulator.faults.clear()

    assert codes == [503, 503, 503, 503]
    assert asset.status_code == 200
    assert client.get("check_balance").status_code == 200


# --- business errors and broken bodies -------------------------------------------------------


def test_error_fault_answers_201_with_the_given_code_and_creates_nothing(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=error:code=API_NO_ACTIVE_SUBSCRIPTION")

    response = submit(client, TEXT)

    assert response.status_code == 201
    assert response.json()["error"] == "API_NO_ACTIVE_SUBSCRIPTION"
    assert response.json()["message"]
    assert emulator.tasks == []


def test_bad_json_fault_sends_a_2xx_body_that_does_not_parse(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    key = subscription_key(submitted(client, TEXT))
    emulator.faults.add("status=bad_json")

    response = client.post("status", json={"subscription_key": key})

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert not is_json(response.text)


def test_bad_json_on_submit_still_creates_the_task_by_default(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=bad_json")

    response = submit(client, TEXT)

    assert not is_json(response.text)
    assert len(emulator.tasks) == 1
    assert emulator.balance == 999.5


# --- dropped connections, stalls -------------------------------------------------------------


def test_dropped_submit_is_a_protocol_error_and_the_task_exists(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=drop")

    with pytest.raises(httpx2.RemoteProtocolError):
        submit(client, TEXT)

    assert len(emulator.tasks) == 1
    assert emulator.balance == 999.5
    assert client.get("check_balance").status_code == 200  # the emulator lives on


def test_dropped_submit_with_reject_creates_nothing(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=drop:reject")

    with pytest.raises(httpx2.RemoteProtocolError):
        submit(client, TEXT)

    assert emulator.tasks == []
    assert emulator.balance == 1000


def test_dropped_body_arrives_after_its_headers_and_a_promised_length(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("check_balance=drop:bytes=5")
    received = bytearray()

    with client.stream("GET", "check_balance") as response:
        promised = int(response.headers["content-length"])
        with pytest.raises(httpx2.RemoteProtocolError):
            read_raw_into(response, received)

    assert response.status_code == 200
    assert bytes(received) == b'{"bal'
    assert promised > len(received)


def test_stalled_status_times_out_the_client_and_the_next_poll_works(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    key = subscription_key(submitted(client, TEXT))
    emulator.faults.add("status=stall")

    with pytest.raises(httpx2.ReadTimeout):
        client.post("status", json={"subscription_key": key}, timeout=httpx2.Timeout(5.0, read=0.2))

    assert client.post("status", json={"subscription_key": key}).status_code == 201


def test_stalled_submit_creates_the_task_before_the_client_gives_up(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=stall")

    with pytest.raises(httpx2.ReadTimeout):
        client.post(
            "rodin", files={"prompt": (None, "a cup")}, timeout=httpx2.Timeout(5.0, read=0.2)
        )

    assert len(emulator.tasks) == 1


def test_stalled_submit_with_reject_creates_nothing_when_the_client_leaves(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin=stall:reject")

    with pytest.raises(httpx2.ReadTimeout):
        client.post(
            "rodin", files={"prompt": (None, "a cup")}, timeout=httpx2.Timeout(5.0, read=0.2)
        )

    assert emulator.tasks == []


def test_a_test_can_wait_until_a_request_has_begun_stalling(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    assert not emulator.wait_for_stalls(1, timeout=0.0)
    emulator.faults.add("check_balance=stall:seconds=0.05")

    assert client.get("check_balance").status_code == 200

    assert emulator.wait_for_stalls(1, timeout=0.0)
    assert not emulator.wait_for_stalls(2, timeout=0.0)


def test_an_asset_stall_with_bytes_holds_the_body_midway_then_sends_it_whole(
    emulator: RunningEmulator,
) -> None:
    unspoiled = httpx2.get(emulator.signed_url(200_000)).content
    emulator.faults.add("asset=stall:bytes=1000:seconds=0.05")
    received = bytearray()

    with httpx2.stream("GET", emulator.signed_url(200_000)) as response:
        assert response.headers["content-length"] == "200000"
        for chunk in response.iter_raw():
            received += chunk

    assert bytes(received) == unspoiled
    assert emulator.wait_for_stalls(1, timeout=0.0)


def test_a_short_stall_answers_normally_afterwards(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("check_balance=stall:seconds=0.05")

    response = client.get("check_balance")

    assert response.status_code == 200
    assert emulator.requests[-1].fault == "check_balance=stall:times=1:seconds=0.05"


# --- failed jobs, selection ------------------------------------------------------------------


def test_fail_fault_makes_the_next_task_end_with_a_failed_job(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    emulator = start_emulator(speed=1.0, clock=manual_clock)
    client = make_client(emulator)
    emulator.faults.add("rodin=fail")
    failing = submitted(client, TEXT)
    healthy = submitted(client, TEXT)

    manual_clock.advance(70)

    assert statuses(client, subscription_key(failing)) == ["Done", "Failed"]
    assert statuses(client, subscription_key(healthy)) == ["Done", "Done"]


def test_after_lets_the_first_matching_requests_through(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("check_balance=500:after=2")

    codes = [client.get("check_balance").status_code for _ in range(4)]

    assert codes == [200, 200, 500, 200]


def test_probability_faults_are_reproducible_with_the_same_seed(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    def pattern(seed: int) -> list[int]:
        client = make_client(start_emulator(faults="check_balance=500:p=0.5", seed=seed))
        return [client.get("check_balance").status_code for _ in range(30)]

    first, again, other = pattern(7), pattern(7), pattern(8)

    assert first == again
    assert {200, 500} <= set(first)
    assert first != other


def test_config_faults_apply_from_the_first_request(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    client = make_client(start_emulator(faults="check_balance=503:times=1"))

    assert [client.get("check_balance").status_code for _ in range(2)] == [503, 200]


def test_a_plan_object_in_the_config_is_copied_per_emulator(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    plan = FaultPlan.parse("check_balance=500")
    first = make_client(start_emulator(faults=plan))
    second = make_client(start_emulator(faults=plan))

    assert first.get("check_balance").status_code == 500
    assert second.get("check_balance").status_code == 500
    assert len(plan) == 1
