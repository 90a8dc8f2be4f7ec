"""The retry policy's arithmetic: Retry-After parsing and bounded, jittered backoff."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodin_mcp.api.retry import RetryPolicy, parse_retry_after
from rodin_mcp.settings import Settings

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-10", 0.0),
        ("61", 61.0),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        (format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True), 30.0),
        (format_datetime(datetime.fromtimestamp(NOW - 30, UTC), usegmt=True), 0.0),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header, now=lambda: NOW) == seconds


@settings(deadline=None)
@given(st.integers(1, 30), st.floats(0, 1, exclude_max=True))
def test_backoff_grows_exponentially_within_its_cap_with_at_most_half_jitter(
    failed_attempt: int, noise: float
) -> None:
    policy = RetryPolicy(initial_wait=0.5, max_wait=10.0, jitter=lambda: noise)
    step = min(10.0, 0.5 * 2 ** (failed_attempt - 1))
    assert step / 2 <= policy.backoff(failed_attempt) <= step


def test_the_policy_follows_the_settings_and_overrides() -> None:
    settings = Settings(retry_attempts=7, retry_after_cap=5.0, operation_deadline=9.0)
    policy = RetryPolicy.from_settings(settings, attempts=2)
    assert policy.attempts == 2
    assert policy.retry_after_cap == 5.0
    assert policy.deadline == 9.0
