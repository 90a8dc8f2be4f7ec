"""Reading Rodin form values the way the real server tolerates them.

Everything arrives as strings (multipart form fields,
https://developer.hyper3d.ai/api-specification/rodin-generation-gen2): booleans in any
letter case, numbers as decimal strings, and array fields as a JSON array string, repeated fields,
a comma string or (for ``addons``) a bare scalar.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import cast

from rodin_mcp.emulator.error_codes import INVALID_REQUEST, ArrayFieldSyntaxError, Refusal

__all__ = [
    "FormFields",
    "as_list",
    "as_object",
    "int_array",
    "invalid",
    "json_array",
    "optional_bool",
    "optional_choice",
    "optional_int",
    "single",
    "string_list",
]

FormFields = Mapping[str, Sequence[str]]
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_COMMA_INTS = re.compile(r"^\s*-?\d+(\s*,\s*-?\d+)*\s*$")


def as_list(value: object) -> list[object] | None:
    """``value`` as a JSON array, or ``None`` if it is not one."""
    return cast("list[object]", value) if isinstance(value, list) else None


def as_object(value: object) -> dict[str, object] | None:
    """``value`` as a JSON object, or ``None`` if it is not one."""
    return cast("dict[str, object]", value) if isinstance(value, dict) else None


def invalid(field: str, rule: str) -> Refusal:
    """The ``INVALID_REQUEST`` refusal for ``field``."""
    return Refusal(INVALID_REQUEST, f"Invalid parameter '{field}': {rule}.")


def single(fields: FormFields, name: str) -> str | None:
    """The first value of ``name``; an empty or blank value counts as absent."""
    values = fields.get(name) or ()
    first = values[0].strip() if values else ""
    return first or None


def optional_bool(fields: FormFields, name: str, default: bool = False) -> bool:
    """A boolean field: ``true``/``false`` in any case, or ``1``/``0``."""
    raw = single(fields, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise invalid(name, "must be true or false")


def optional_int(fields: FormFields, name: str, low: int, high: int) -> int | None:
    """An integer field within ``low..high`` inclusive."""
    raw = single(fields, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"must be an integer from {low} to {high}") from None
    if not low <= value <= high:
        raise invalid(name, f"must be an integer from {low} to {high}")
    return value


def optional_choice(fields: FormFields, name: str, choices: Sequence[str]) -> str | None:
    """An enum field; values are case-sensitive, as documented."""
    raw = single(fields, name)
    if raw is None:
        return None
    if raw not in choices:
        raise invalid(name, f"must be one of {', '.join(choices)}")
    return raw


def json_array(fields: FormFields, name: str) -> list[object] | None:
    """A field that must be a JSON array string, parsed like the real server's ``JSON.parse``.

    Repeated fields are joined with commas first, which is what a JavaScript server sees when it
    coerces an array of strings.

    Raises:
        ArrayFieldSyntaxError: The text is not JSON (the real server answers HTTP 500).
        Refusal: The JSON is valid but not an array.
    """
    values = [v for v in fields.get(name) or () if v.strip()]
    if not values:
        return None
    text = ",".join(values)
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError:
        raise ArrayFieldSyntaxError(name, text) from None
    items = as_list(parsed)
    if items is None:
        raise invalid(name, "must be a JSON array")
    return items


def int_array(fields: FormFields, name: str) -> list[int] | None:
    """An array of integers sent as JSON, as repeated fields, or as a comma string.

    Raises:
        ArrayFieldSyntaxError: A single value that is neither JSON nor a comma list of integers.
        Refusal: An element is not an integer.
    """
    values = [v.strip() for v in fields.get(name) or () if v.strip()]
    if not values:
        return None
    if len(values) == 1 and _COMMA_INTS.match(values[0]) and "," in values[0]:
        items: list[object] = [int(part) for part in values[0].split(",")]
    elif len(values) == 1:
        items = json_array(fields, name) or []
    else:
        items = list(values)
    return [_as_int(name, item) for item in items]


def string_list(fields: FormFields, name: str) -> list[str]:
    """A string array sent as repeated fields, a bare scalar, a JSON array or a comma string."""
    result: list[str] = []
    for raw in fields.get(name) or ():
        text = raw.strip()
        if not text:
            continue
        if text.startswith("["):
            try:
                parsed: object = json.loads(text)
            except json.JSONDecodeError:
                raise invalid(name, "is not a valid JSON array") from None
            items = as_list(parsed)
            if items is None:
                raise invalid(name, "must be an array")
            result.extend(str(item) for item in items)
        else:
            result.extend(part.strip() for part in text.split(",") if part.strip())
    return result


def _as_int(name: str, item: object) -> int:
    if isinstance(item, bool):
        raise invalid(name, "must hold integers")
    if isinstance(item, int):
        return item
    if isinstance(item, str) and re.fullmatch(r"\s*-?\d+\s*", item):
        return int(item)
    raise invalid(name, "must hold integers")
