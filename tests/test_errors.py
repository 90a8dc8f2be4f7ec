"""The exception tree: drawn once in the module docstring, and the drawing is the truth."""

from __future__ import annotations

import re

import rodin_mcp.errors as errors
from rodin_mcp.errors import RateLimitError, RequestValidationError, RodinError


def drawn_tree() -> dict[str, str]:
    """Child class name -> parent class name, read from the drawing in the docstring."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^(?P<indent>[\s│├└─]*)(?P<name>[A-Z][A-Za-z]+Error)\b", line)
        if match is None:
            continue
        depth = len(match.group("indent"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[match.group("name")] = stack[-1][1]
        stack.append((depth, match.group("name")))
    return parents


def test_the_drawing_in_the_docstring_matches_the_class_tree() -> None:
    drawn = drawn_tree()
    exported = {name for name in errors.__all__ if name != "RodinError"}
    assert set(drawn) == exported
    for child, parent in drawn.items():
        assert getattr(errors, child).__bases__ == (getattr(errors, parent),), child


def test_every_error_is_a_rodin_error_whose_text_is_its_message() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, RodinError)
    err = RequestValidationError("seed must be 0-65535.", field="seed")
    assert str(err) == "seed must be 0-65535."
    assert repr(err) == "RequestValidationError('seed must be 0-65535.')"
    assert err.field == "seed"


def test_a_rate_limit_error_carries_the_wait_and_the_429() -> None:
    err = RateLimitError("slow down", retry_after=2.5)
    assert err.retry_after == 2.5
    assert err.status_code == 429
