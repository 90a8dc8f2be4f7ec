"""The fingerprint of a paid request: what makes two generations "the same request"."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

__all__ = ["request_fingerprint"]


def request_fingerprint(request_fields: Mapping[str, Any], image_hashes: Sequence[str]) -> str:
    """Hex SHA-256 identifying a generation request, for spotting duplicates.

    The options are serialised as canonical JSON (sorted keys, no spaces, ``None`` values dropped
    so an omitted option and an explicit ``None`` match), followed by the image hashes in order.

    Args:
        request_fields: The request options as JSON values (``model_dump(mode="json")``).
        image_hashes: Hex SHA-256 of each input image, in upload order.

    Raises:
        TypeError: A value is not a JSON value.
    """
    canonical = json.dumps(
        {"fields": _drop_none(dict(request_fields)), "images": list(image_hashes)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(b"rodin-mcp request v1\n" + canonical.encode("utf-8")).hexdigest()


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        items = cast(Mapping[Any, Any], value).items()
        return {key: _drop_none(item) for key, item in items if item is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(item) for item in cast(Sequence[Any], value)]
    return value
