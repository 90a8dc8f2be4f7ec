"""Rodin's business error codes (both naming generations) mapped to the leaves of
:mod:`rodin_mcp.errors`, with the facts the wire itself tells about each."""

from __future__ import annotations

from rodin_mcp.api.redact import clean_text
from rodin_mcp.api.request import GenerationRequest
from rodin_mcp.errors import (
    APIError,
    AuthError,
    ContentViolationError,
    InsufficientFundsError,
    InvalidRequestError,
    NoSuchTaskError,
    ParallelismLimitError,
    RateLimitError,
    SubscriptionError,
)

__all__ = ["ADVICE", "error_for_code"]

# Rodin's business error codes, both naming generations, mapped to our leaves.
_CODE_TO_ERROR: dict[str, type[APIError]] = {
    "UNAUTHORIZED": AuthError,
    "USER_NOT_FOUND": AuthError,
    "GROUP_NOT_FOUND": AuthError,
    "INVALID_API_KEY": AuthError,
    "NO_ACTIVE_SUBSCRIPTION": SubscriptionError,
    "API_NO_ACTIVE_SUBSCRIPTION": SubscriptionError,
    "SUBSCRIPTION_PLAN_TOO_LOW": SubscriptionError,
    "API_SUBSCRIPTION_PLAN_TOO_LOW": SubscriptionError,
    "PERMISSION_DENIED": SubscriptionError,
    "INSUFFICIENT_FUND": InsufficientFundsError,
    "INSUFFICIENT_FUNDS": InsufficientFundsError,
    "API_INSUFFICIENT_FUNDS": InsufficientFundsError,
    "INVALID_REQUEST": InvalidRequestError,
    "IMAGE_LABEL_LENGTH_TOO_LONG": InvalidRequestError,
    "API_PARALLELISM_LIMIT_REACHED": ParallelismLimitError,
    "NO_SUCH_TASK": NoSuchTaskError,
    "IMAGE_CONTENT_VIOLATION": ContentViolationError,
    "API_OBJECT_NOT_FOUND_ON_IMAGE": ContentViolationError,
    "RATE_LIMITED": RateLimitError,
    "TOO_MANY_REQUESTS": RateLimitError,
}

# What the wire itself tells about an error. Advice that names a setting, a tool or a command is
# the faces' (server/words.py, cli/words.py), so the errors they word carry none here.
ADVICE: dict[type[APIError], str] = {
    SubscriptionError: "The Rodin API needs an active Business subscription on this account.",
    InvalidRequestError: "Change the option the message names, then submit again.",
    RateLimitError: "Rodin is limiting the request rate; wait a little and try again.",
    NoSuchTaskError: (
        "Check the id: status takes the subscription key, the download list the task uuid."
    ),
    ContentViolationError: "Use another image showing one clear object.",
}


def error_for_code(
    code: str,
    message: str | None,
    *,
    operation: str,
    status_code: int | None = None,
    secrets: tuple[str, ...] = (),
) -> APIError:
    """The exception for a Rodin business error code (either naming generation).

    Args:
        code: Rodin's ``error`` value, for example ``API_INSUFFICIENT_FUNDS``.
        message: Rodin's ``message``; cleaned and shortened before it is quoted.
        operation: What we asked for (``"submit"``), for the message.
        status_code: The HTTP status that carried it.
        secrets: Strings that must not appear in the message (the API key).
    """
    safe_code = clean_text(code, limit=60, secrets=secrets)
    kind = _CODE_TO_ERROR.get(code.strip().upper(), APIError)
    detail = clean_text(message or "", secrets=secrets)
    text = f"Rodin refused the {operation} ({safe_code}"
    text += f": {detail})." if detail else ")."
    advice = ADVICE.get(kind)
    if advice:
        text += " " + advice
    if kind is InvalidRequestError:
        field = "image_label" if code == "IMAGE_LABEL_LENGTH_TOO_LONG" else _field_named(detail)
        return InvalidRequestError(text, code=safe_code, status_code=status_code, field=field)
    if kind is RateLimitError:
        return RateLimitError(text, code=safe_code, status_code=status_code)
    return kind(text, code=safe_code, status_code=status_code)


def _field_named(message: str) -> str | None:
    names = sorted(GenerationRequest.model_fields, key=len, reverse=True)
    return next((name for name in names if name in message), None)
