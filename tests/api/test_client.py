"""The Rodin client against the emulator over loopback HTTP, with its fault plan.

The rule that matters most: a paid submission is sent exactly once unless it provably never
left; read-only calls back off and retry within their bounds.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from rodin_mcp.api import GenerationRequest, ImagePart, estimated_credits, form_fields
from rodin_mcp.api.client import RodinClient
from rodin_mcp.api.retry import RetryEvent, RetryPolicy
from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator, run_emulator_in_thread
from rodin_mcp.errors import (
    APIError,
    AuthError,
    ConfigError,
    ContentViolationError,
    DeadlineExceededError,
    InsufficientFundsError,
    InvalidRequestError,
    NoSuchTaskError,
    NotSentError,
    OutcomeUnknownError,
    ParallelismLimitError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    SubscriptionError,
    TransportError,
)
from rodin_mcp.settings import Settings
from tests.api.fixtures import RecordingSleep, closed_port_url

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
CHAIR = GenerationRequest(prompt="a red chair", tier="Sketch")


@pytest.fixture
def emulator_config(sentinel_api_key: str) -> EmulatorConfig:
    return EmulatorConfig(api_key=sentinel_api_key, clock=ManualClock(), parallelism_limit=50)


def posts_to(emulator: RunningEmulator, endpoint: str) -> int:
    return sum(1 for record in emulator.requests if record.endpoint == endpoint)


# Submit: sent once, with the documented wire form.


async def test_submit_sends_one_multipart_post_with_the_request_fields(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    request = GenerationRequest(
        prompt="a red chair", tier="Gen-2.5-Low", seed=7, bbox_condition=(100, 50, 30)
    )

    result = await rodin.submit(request)

    (record,) = [r for r in emulator.requests if r.endpoint == "rodin"]
    assert record.content_type == "multipart/form-data"
    assert record.authorized
    assert record.fields == {name: [value] for name, value in form_fields(request)}
    assert result.task_uuid == record.task_uuid
    (task,) = emulator.tasks
    assert result.subscription_key == task.subscription_key
    assert len(result.job_uuids) == len(task.jobs) >= 2
    assert result.consumed == task.cost == estimated_credits(request)


async def test_submit_sends_images_as_repeated_parts_in_order(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    images = [ImagePart("0000.png", "image/png", PNG), ImagePart("0001.jpg", "image/jpeg", JPEG)]
    request = GenerationRequest(tier="Gen-2.5-Medium", image_label=["F", "B"])

    await rodin.submit(request, images)

    (record,) = [r for r in emulator.requests if r.endpoint == "rodin"]
    assert record.image_parts == 2
    assert record.fields["image_label"] == ['["F","B"]']
    assert "prompt" not in record.fields


async def test_submit_checks_the_rules_against_the_images_actually_sent(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    labelled = GenerationRequest(tier="Gen-2.5-Low", image_label=["F", "B"])
    with pytest.raises(RequestValidationError) as caught:
        await rodin.submit(labelled, [ImagePart("a.png", "image/png", PNG)])
    assert caught.value.field == "image_label"
    assert posts_to(emulator, "rodin") == 0


@pytest.mark.parametrize(
    ("fault", "settings_overrides"),
    [
        ("rodin=500", {}),
        ("rodin=503", {}),
        ("rodin=502", {}),
        ("rodin=drop", {}),
        ("rodin=drop:reject", {}),
        ("rodin=bad_json", {}),
        ("rodin=stall:seconds=30", {"read_timeout": 0.3}),
    ],
)
async def test_submit_is_sent_exactly_once_when_its_outcome_is_unknown(
    emulator: RunningEmulator, rodin: RodinClient, retry_events: list[RetryEvent], fault: str
) -> None:
    emulator.faults.add(fault)

    with pytest.raises(OutcomeUnknownError) as caught:
        await rodin.submit(CHAIR)

    assert posts_to(emulator, "rodin") == 1
    assert retry_events == []
    assert "not sent again" in str(caught.value)


async def test_an_accepted_submission_whose_answer_dropped_was_billed_and_is_not_resent(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    emulator.faults.add("rodin=drop:accept")
    before = emulator.balance

    with pytest.raises(OutcomeUnknownError):
        await rodin.submit(CHAIR)

    assert len(emulator.tasks) == 1
    assert emulator.balance == before - estimated_credits(CHAIR)
    assert posts_to(emulator, "rodin") == 1


async def test_a_rate_limited_submission_is_not_resent_and_says_how_long_to_wait(
    emulator: RunningEmulator, rodin: RodinClient, sleeper: RecordingSleep
) -> None:
    emulator.faults.add("rodin=429:retry_after=7")

    with pytest.raises(RateLimitError) as caught:
        await rodin.submit(CHAIR)

    assert caught.value.retry_after == 7
    assert "not accepted" in str(caught.value)
    assert posts_to(emulator, "rodin") == 1
    assert emulator.tasks == []
    assert sleeper.waits == []


async def test_a_submission_that_cannot_connect_is_tried_again_then_reported_not_sent(
    http: httpx2.AsyncClient, rodin_settings: Settings, sleeper: RecordingSleep
) -> None:
    events: list[RetryEvent] = []
    policy = RetryPolicy.from_settings(
        rodin_settings, submit_connect_attempts=3, sleep=sleeper, on_retry=events.append
    )
    rodin = RodinClient(http, settings=rodin_settings, base_url=closed_port_url(), policy=policy)

    with pytest.raises(NotSentError) as caught:
        await rodin.submit(CHAIR)

    assert [(e.operation, e.attempt, e.reason) for e in events] == [
        ("submit", 1, "ConnectError"),
        ("submit", 2, "ConnectError"),
    ]
    assert len(sleeper.waits) == 2
    assert "nothing was charged" in str(caught.value)


# Read-only calls: backoff, Retry-After, bounds.


async def test_status_honours_retry_after_then_succeeds(
    emulator: RunningEmulator, rodin: RodinClient, sleeper: RecordingSleep
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=429:times=2:retry_after=1")

    status = await rodin.status(task.subscription_key)

    assert status.state == "waiting"
    assert sleeper.waits == [1.0, 1.0]
    assert posts_to(emulator, "status") == 3


async def test_status_backs_off_exponentially_with_jitter_on_server_errors(
    emulator: RunningEmulator, rodin: RodinClient, sleeper: RecordingSleep
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=503:times=2")

    await rodin.status(task.subscription_key)

    first, second = sleeper.waits
    initial = rodin.policy.initial_wait
    assert initial / 2 <= first <= initial
    assert initial <= second <= 2 * initial
    assert posts_to(emulator, "status") == 3


@pytest.mark.parametrize("fault", ["status=drop", "status=bad_json", "status=500"])
async def test_status_retries_a_dropped_or_unreadable_answer(
    emulator: RunningEmulator, rodin: RodinClient, fault: str
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add(fault)

    status = await rodin.status(task.subscription_key)

    assert [job.uuid for job in status.jobs] == task.job_uuids
    assert posts_to(emulator, "status") == 2


async def test_status_gives_up_after_its_attempts(
    emulator: RunningEmulator, rodin: RodinClient, sleeper: RecordingSleep
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=500:times=*")

    with pytest.raises(ServerError) as caught:
        await rodin.status(task.subscription_key)

    assert caught.value.status_code == 500
    assert posts_to(emulator, "status") == rodin.policy.attempts == 4
    assert len(sleeper.waits) == 3


async def test_status_gives_up_at_once_when_retry_after_exceeds_the_cap(
    emulator: RunningEmulator, rodin: RodinClient, sleeper: RecordingSleep
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=429:retry_after=3600")

    with pytest.raises(RateLimitError) as caught:
        await rodin.status(task.subscription_key)

    assert caught.value.retry_after == 3600
    assert posts_to(emulator, "status") == 1
    assert sleeper.waits == []


async def test_status_stops_before_a_wait_would_pass_the_operation_deadline(
    emulator: RunningEmulator, http: httpx2.AsyncClient, rodin_settings: Settings
) -> None:
    sleeper = RecordingSleep()
    policy = RetryPolicy.from_settings(
        rodin_settings, attempts=10, deadline=2.5, sleep=sleeper, clock=sleeper.clock
    )
    rodin = RodinClient(http, settings=rodin_settings, policy=policy)
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=429:times=*:retry_after=1")

    with pytest.raises(RateLimitError):
        await rodin.status(task.subscription_key)

    assert sleeper.waits == [1.0, 1.0]
    assert posts_to(emulator, "status") == 3


@pytest.mark.parametrize("settings_overrides", [{"operation_deadline": 0.5, "read_timeout": 10.0}])
async def test_a_stalled_status_ends_at_the_operation_deadline(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    task = await rodin.submit(CHAIR)
    emulator.faults.add("status=stall:seconds=30")

    with pytest.raises(DeadlineExceededError):
        await rodin.status(task.subscription_key)


async def test_a_read_only_call_that_cannot_connect_reports_a_transport_error(
    http: httpx2.AsyncClient, rodin_settings: Settings, sleeper: RecordingSleep
) -> None:
    policy = RetryPolicy.from_settings(rodin_settings, attempts=3, sleep=sleeper)
    rodin = RodinClient(http, settings=rodin_settings, base_url=closed_port_url(), policy=policy)

    with pytest.raises(TransportError) as caught:
        await rodin.balance()

    assert "ConnectError" in str(caught.value)
    assert len(sleeper.waits) == 2


# Answers: tolerant of variations, business errors to the right leaf.


@pytest.mark.parametrize("success_error", ["omit", "documented"])
async def test_every_call_reads_both_success_shapes(
    sentinel_api_key: str,
    http: httpx2.AsyncClient,
    tmp_path: Any,
    success_error: str,
) -> None:
    clock = ManualClock()
    config = EmulatorConfig(
        api_key=sentinel_api_key,
        clock=clock,
        success_error="documented" if success_error == "documented" else "omit",
    )
    with run_emulator_in_thread(config) as emulator:
        rodin = RodinClient(http, base_url=emulator.base_url, api_key=sentinel_api_key)
        task = await rodin.submit(CHAIR)
        clock.advance(10_000)
        status = await rodin.status(task.subscription_key)
        files = await rodin.download_list(task.task_uuid)
        balance = await rodin.balance()

    assert status.state == "done"
    assert any(item.name.endswith(".glb") for item in files)
    assert balance == 100.0 - estimated_credits(CHAIR)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("API_INSUFFICIENT_FUNDS", InsufficientFundsError),
        ("INSUFFICIENT_FUND", InsufficientFundsError),
        ("INVALID_REQUEST", InvalidRequestError),
        ("IMAGE_LABEL_LENGTH_TOO_LONG", InvalidRequestError),
        ("API_PARALLELISM_LIMIT_REACHED", ParallelismLimitError),
        ("NO_SUCH_TASK", NoSuchTaskError),
        ("API_NO_ACTIVE_SUBSCRIPTION", SubscriptionError),
        ("NO_ACTIVE_SUBSCRIPTION", SubscriptionError),
        ("API_SUBSCRIPTION_PLAN_TOO_LOW", SubscriptionError),
        ("SUBSCRIPTION_PLAN_TOO_LOW", SubscriptionError),
        ("PERMISSION_DENIED", SubscriptionError),
        ("USER_NOT_FOUND", AuthError),
        ("IMAGE_CONTENT_VIOLATION", ContentViolationError),
        ("API_OBJECT_NOT_FOUND_ON_IMAGE", ContentViolationError),
        ("SOMETHING_NEW", APIError),
    ],
)
async def test_a_business_error_in_a_201_raises_its_leaf_and_is_not_retried(
    emulator: RunningEmulator, rodin: RodinClient, code: str, error: type[APIError]
) -> None:
    emulator.faults.add(f"rodin=error:code={code}:message=quality_override is out of range")

    with pytest.raises(APIError) as caught:
        await rodin.submit(CHAIR)

    assert type(caught.value) is error
    assert caught.value.code == code
    assert caught.value.status_code == 201
    assert "quality_override is out of range" in str(caught.value)
    assert posts_to(emulator, "rodin") == 1


async def test_an_invalid_request_error_names_the_field_from_rodins_message(
    emulator: RunningEmulator, rodin: RodinClient
) -> None:
    emulator.faults.add("rodin=error:code=INVALID_REQUEST:message=seed must be 0 to 65535")

    with pytest.raises(InvalidRequestError) as caught:
        await rodin.submit(CHAIR)

    assert caught.value.field == "seed"


@pytest.mark.parametrize("names", ["new", "old"])
async def test_an_empty_account_is_refused_as_insufficient_funds_in_both_name_generations(
    sentinel_api_key: str, http: httpx2.AsyncClient, names: str
) -> None:
    config = EmulatorConfig(
        api_key=sentinel_api_key, starting_balance=0, error_names="old" if names == "old" else "new"
    )
    with run_emulator_in_thread(config) as emulator:
        rodin = RodinClient(http, base_url=emulator.base_url, api_key=sentinel_api_key)
        with pytest.raises(InsufficientFundsError) as caught:
            await rodin.submit(CHAIR)

    assert caught.value.code == (
        "INSUFFICIENT_FUND" if names == "old" else "API_INSUFFICIENT_FUNDS"
    )
    # The wire's facts only: what to do about it is each face's advice, not stacked here.
    assert str(caught.value).startswith("Rodin refused the submit (")
    assert "top up" not in str(caught.value).lower()


async def test_the_parallelism_cap_is_reported_as_its_own_error(
    sentinel_api_key: str, http: httpx2.AsyncClient
) -> None:
    config = EmulatorConfig(api_key=sentinel_api_key, clock=ManualClock(), parallelism_limit=1)
    with run_emulator_in_thread(config) as emulator:
        rodin = RodinClient(http, base_url=emulator.base_url, api_key=sentinel_api_key)
        await rodin.submit(CHAIR)
        with pytest.raises(ParallelismLimitError):
            await rodin.submit(CHAIR)


async def test_swapped_ids_are_reported_as_no_such_task(rodin: RodinClient) -> None:
    task = await rodin.submit(CHAIR)

    with pytest.raises(NoSuchTaskError) as status_error:
        await rodin.status(task.task_uuid)
    with pytest.raises(NoSuchTaskError) as list_error:
        await rodin.download_list(task.subscription_key)

    assert "subscription key" in str(status_error.value)
    assert task.subscription_key not in str(list_error.value)


async def test_a_wrong_key_is_an_auth_error_and_nothing_is_retried(
    emulator: RunningEmulator, http: httpx2.AsyncClient, rodin_settings: Settings
) -> None:
    rodin = RodinClient(http, settings=rodin_settings, api_key="sk-test-WRONG-KEY")

    with pytest.raises(AuthError) as submit_error:
        await rodin.submit(CHAIR)
    with pytest.raises(AuthError):
        await rodin.balance()

    assert submit_error.value.status_code == 401
    assert [r.endpoint for r in emulator.requests] == ["rodin", "check_balance"]


async def test_a_client_without_a_key_sends_nothing(
    emulator: RunningEmulator, http: httpx2.AsyncClient, rodin_settings: Settings
) -> None:
    keyless = rodin_settings.model_copy(update={"api_key": None})
    rodin = RodinClient(http, settings=keyless)

    with pytest.raises(ConfigError):
        await rodin.balance()
    assert emulator.requests == []


async def test_a_task_with_a_failed_job_reads_as_failed(
    emulator: RunningEmulator, rodin: RodinClient, emulator_config: EmulatorConfig
) -> None:
    emulator.faults.add("rodin=fail")
    task = await rodin.submit(CHAIR)
    assert isinstance(emulator_config.clock, ManualClock)
    emulator_config.clock.advance(10_000)

    status = await rodin.status(task.subscription_key)

    assert status.state == "failed"
    assert {job.status for job in status.jobs} == {"Done", "Failed"}
