"""When to try again, and how long to wait: the retry policy by what a call does.

This is the only module that waits between attempts. Two runners:

* :func:`run_read_only` for calls that change nothing (status, download list, balance, file GETs):
  an attempt that fails with a transport error, or that raises :class:`Transient` (429, 5xx, an
  unreadable body), is tried again after a jittered exponential backoff, or after ``Retry-After``
  when the server sent one. Bounded by a number of attempts and by an overall deadline; a
  ``Retry-After`` longer than the cap gives up at once.
* :func:`run_paid` for the submission, which spends credits: it is tried again only when the
  request provably never left this machine (connect error, connect timeout, pool timeout). Any
  other transport failure, and a deadline that runs out while the request is in flight, raise
  :class:`~rodin_mcp.errors.OutcomeUnknownError`: the task may exist and be billed.

Waiting goes through an injectable ``sleep``; backoff uses an injectable ``jitter`` source and
``clock``, so tests run without real sleeps.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import anyio
import httpx2

from rodin_mcp.errors import (
    DeadlineExceededError,
    NotSentError,
    OutcomeUnknownError,
    RodinError,
    TransportError,
)
from rodin_mcp.settings import Settings

__all__ = [
    "RetryEvent",
    "RetryPolicy",
    "Transient",
    "is_retryable_status",
    "parse_retry_after",
    "request_never_left",
    "run_paid",
    "run_read_only",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The failures after which the request provably never reached the server: no connection was made.
_NEVER_LEFT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)


def request_never_left(exc: BaseException) -> bool:
    """Whether a transport error proves that no byte of the request reached the server."""
    return isinstance(exc, _NEVER_LEFT)


def is_retryable_status(status_code: int) -> bool:
    """Whether an HTTP status is worth another try of a read-only call (408, 429, 5xx)."""
    return status_code in (408, 429) or status_code >= 500


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    Returns:
        The wait, at least 0; ``None`` when the header is absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - now()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryEvent:
    """One decision to try again, passed to :attr:`RetryPolicy.on_retry`."""

    operation: str
    attempt: int  # the attempt that just failed, from 1
    delay: float  # seconds waited before the next attempt
    reason: str  # short, safe description (an exception class name or an HTTP status)


async def _real_sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Bounds and timings of retries; see the module docstring for which calls get which runner.

    Attributes:
        attempts: Tries of a read-only call, the first included.
        initial_wait: Base of the exponential backoff, in seconds.
        max_wait: Longest backoff between two tries.
        retry_after_cap: Longest ``Retry-After`` honoured; a longer one gives up at once.
        deadline: Overall time of one operation, all tries and waits included.
        submit_connect_attempts: Tries of a submission whose connection never opened.
        sleep: Awaitable sleep (tests inject a recorder).
        clock: Monotonic clock in seconds, used to stop before a wait would pass the deadline.
        jitter: Source of uniform numbers in [0, 1) for the backoff jitter.
        on_retry: Called before each wait with what is about to happen.
    """

    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 10.0
    retry_after_cap: float = 60.0
    deadline: float = 120.0
    submit_connect_attempts: int = 3
    sleep: Callable[[float], Awaitable[None]] = _real_sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    on_retry: Callable[[RetryEvent], None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RetryPolicy:
        """The policy the settings describe; keyword arguments override single fields."""
        policy = cls(
            attempts=settings.retry_attempts,
            initial_wait=settings.retry_initial_wait,
            max_wait=settings.retry_max_wait,
            retry_after_cap=settings.retry_after_cap,
            deadline=settings.operation_deadline,
            submit_connect_attempts=settings.submit_connect_attempts,
        )
        return replace(policy, **overrides)

    def backoff(self, failed_attempt: int) -> float:
        """Wait after the ``failed_attempt``-th failure: exponential, capped, "equal jitter".

        Half of the exponential step is fixed and half is random, so waits grow but never
        synchronise across clients.
        """
        step = min(self.max_wait, self.initial_wait * 2 ** (failed_attempt - 1))
        return step / 2 + self.jitter() * step / 2


class Transient(Exception):
    """Raised by one attempt of a read-only call: another attempt may succeed.

    Args:
        error: What to raise if no attempt is left.
        retry_after: Seconds the server asked to wait, if it said.
        reason: Short, safe description for logs (``"HTTP 503"``).
    """

    def __init__(
        self, error: RodinError, *, retry_after: float | None = None, reason: str = ""
    ) -> None:
        super().__init__(reason or type(error).__name__)
        self.error = error
        self.retry_after = retry_after
        self.reason = reason or type(error).__name__


async def run_read_only(
    attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, operation: str
) -> T:
    """Run a call that changes nothing, trying again on transient failures.

    Args:
        attempt: One try. It raises :class:`Transient` for failures worth another try; transport
            errors of the HTTP library are treated the same way; anything else propagates.
        policy: Bounds and timings.
        operation: Name used in messages and logs (``"status"``).

    Raises:
        RodinError: the last failure's error when attempts, deadline or patience run out;
            :class:`~rodin_mcp.errors.DeadlineExceededError` when the deadline cuts an attempt.
    """
    started = policy.clock()
    with anyio.move_on_after(policy.deadline) as scope:
        for number in range(1, policy.attempts + 1):
            try:
                return await attempt()
            except Transient as failure:
                error, retry_after, reason = failure.error, failure.retry_after, failure.reason
            except httpx2.TransportError as exc:
                reason = type(exc).__name__
                error = TransportError(
                    f"Could not reach Rodin for {operation} ({reason}); check the network and "
                    "try again."
                )
                retry_after = None
            if retry_after is not None and retry_after > policy.retry_after_cap:
                raise error
            if number == policy.attempts:
                raise error
            delay = retry_after if retry_after is not None else policy.backoff(number)
            if policy.clock() - started + delay > policy.deadline:
                raise error
            _announce(policy, RetryEvent(operation, number, delay, reason))
            await policy.sleep(delay)
    if scope.cancelled_caught:
        raise DeadlineExceededError(
            f"Rodin did not answer the {operation} request within {policy.deadline:g} s; "
            "try again later."
        )
    raise AssertionError("unreachable: every attempt returns or raises")  # pragma: no cover


async def run_paid(
    attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, operation: str
) -> T:
    """Run a call that spends credits: try again only if the request never left.

    Args:
        attempt: One try. Transport errors of the HTTP library are classified here; anything
            else (including responses the caller reads later) propagates untouched.
        policy: Uses ``submit_connect_attempts``, the backoff and ``deadline``.
        operation: Name used in messages and logs (``"submit"``).

    Raises:
        NotSentError: no connection could be made in any try; nothing was sent.
        OutcomeUnknownError: the request may have reached Rodin (timeout after sending,
            dropped connection, deadline while in flight); it is never sent again.
    """
    in_flight = False
    with anyio.move_on_after(policy.deadline) as scope:
        for number in range(1, policy.submit_connect_attempts + 1):
            in_flight = True
            try:
                return await attempt()
            except httpx2.TransportError as exc:
                if not request_never_left(exc):
                    raise _outcome_unknown(operation, type(exc).__name__) from None
                in_flight = False
                reason = type(exc).__name__
            if number == policy.submit_connect_attempts:
                break
            delay = policy.backoff(number)
            _announce(policy, RetryEvent(operation, number, delay, reason))
            await policy.sleep(delay)
    if scope.cancelled_caught and in_flight:
        raise _outcome_unknown(operation, f"no answer within {policy.deadline:g} s")
    raise NotSentError(
        f"Could not connect to Rodin for {operation}; nothing was sent and nothing was charged. "
        "Check the network or RODIN_BASE_URL, then try again."
    )


def _outcome_unknown(operation: str, reason: str) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        f"The {operation} request may have reached Rodin ({reason}) and may have been charged; "
        "it was not sent again. Check the task list or the Rodin dashboard before submitting "
        "again."
    )


def _announce(policy: RetryPolicy, event: RetryEvent) -> None:
    logger.info(
        "%s: attempt %d failed (%s); trying again in %.2f s",
        event.operation,
        event.attempt,
        event.reason,
        event.delay,
    )
    if policy.on_retry is not None:
        policy.on_retry(event)
