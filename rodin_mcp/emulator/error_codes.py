"""Rodin's business error codes, in their two naming generations, and the refusals that carry them.

Business errors travel with HTTP 201 as ``{"error": CODE, "message": ...}``, the shape of the 201
answer on https://developer.hyper3d.ai/api-specification/rodin-generation-gen2.
Internally the emulator always uses the newer names; :func:`wire_code` renames on the way out.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "IMAGE_LABEL_LENGTH_TOO_LONG",
    "INSUFFICIENT_FUNDS",
    "INVALID_REQUEST",
    "NO_SUCH_TASK",
    "PARALLELISM_LIMIT_REACHED",
    "ArrayFieldSyntaxError",
    "Refusal",
    "wire_code",
]

INSUFFICIENT_FUNDS = "API_INSUFFICIENT_FUNDS"
INVALID_REQUEST = "INVALID_REQUEST"
IMAGE_LABEL_LENGTH_TOO_LONG = "IMAGE_LABEL_LENGTH_TOO_LONG"
NO_SUCH_TASK = "NO_SUCH_TASK"
PARALLELISM_LIMIT_REACHED = "API_PARALLELISM_LIMIT_REACHED"

_OLD_NAMES = {
    "API_INSUFFICIENT_FUNDS": "INSUFFICIENT_FUND",
    "API_NO_ACTIVE_SUBSCRIPTION": "NO_ACTIVE_SUBSCRIPTION",
    "API_SUBSCRIPTION_PLAN_TOO_LOW": "SUBSCRIPTION_PLAN_TOO_LOW",
}


def wire_code(code: str, names: Literal["new", "old"]) -> str:
    """The name ``code`` goes out under, in the chosen naming generation."""
    return _OLD_NAMES.get(code, code) if names == "old" else code


class Refusal(Exception):
    """A business error: answered with HTTP 201 and ``{"error": code, "message": message}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ArrayFieldSyntaxError(Exception):
    """An array field is not valid JSON; the real server answers HTTP 500 (it ``JSON.parse``-s)."""

    def __init__(self, field: str, text: str) -> None:
        token = text.strip()[:1] or "end of input"
        super().__init__(f"SyntaxError: Unexpected token '{token}' in {field}")
        self.field = field
