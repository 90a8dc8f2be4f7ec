"""Rodin's REST wire: the request and its rules, its encoding, pricing, responses, the retry
policy and the async client.

Typical use::

    from rodin_mcp.api import GenerationRequest, RodinClient, create_http_client

    async with create_http_client(settings) as http:
        rodin = RodinClient(http, settings=settings)
        task = await rodin.submit(GenerationRequest(prompt="a red chair"))
        status = await rodin.status(task.subscription_key)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Eager: the function shares its module's name, which the import system would otherwise bind.
from rodin_mcp.api.form_fields import ImagePart, ModelPart, form_fields

if TYPE_CHECKING:
    from rodin_mcp.api.client import RodinClient, create_http_client
    from rodin_mcp.api.error_codes import error_for_code
    from rodin_mcp.api.pricing import PRICES, PriceTable, estimated_credits
    from rodin_mcp.api.request import MAX_IMAGES, GenerationRequest, check_images, option_names
    from rodin_mcp.api.responses import (
        LINK_LIFETIME_SECONDS,
        RESULT_RETENTION_DAYS,
        DownloadItem,
        JobStatus,
        SubmitResult,
        TaskStatus,
    )
    from rodin_mcp.api.retry import RetryEvent, RetryPolicy
    from rodin_mcp.api.split_request import SPLITTABLE_TIER, SplitRequest, split_option_names
    from rodin_mcp.api.texture_request import (
        MAX_MODEL_BYTES,
        TextureRequest,
        check_model_size,
        texture_option_names,
    )

_WHERE: dict[str, str] = {
    "DownloadItem": "rodin_mcp.api.responses",
    "GenerationRequest": "rodin_mcp.api.request",
    "JobStatus": "rodin_mcp.api.responses",
    "LINK_LIFETIME_SECONDS": "rodin_mcp.api.responses",
    "MAX_IMAGES": "rodin_mcp.api.request",
    "MAX_MODEL_BYTES": "rodin_mcp.api.texture_request",
    "PRICES": "rodin_mcp.api.pricing",
    "PriceTable": "rodin_mcp.api.pricing",
    "RESULT_RETENTION_DAYS": "rodin_mcp.api.responses",
    "RetryEvent": "rodin_mcp.api.retry",
    "RetryPolicy": "rodin_mcp.api.retry",
    "RodinClient": "rodin_mcp.api.client",
    "SPLITTABLE_TIER": "rodin_mcp.api.split_request",
    "SplitRequest": "rodin_mcp.api.split_request",
    "SubmitResult": "rodin_mcp.api.responses",
    "TaskStatus": "rodin_mcp.api.responses",
    "TextureRequest": "rodin_mcp.api.texture_request",
    "check_images": "rodin_mcp.api.request",
    "check_model_size": "rodin_mcp.api.texture_request",
    "create_http_client": "rodin_mcp.api.client",
    "error_for_code": "rodin_mcp.api.error_codes",
    "estimated_credits": "rodin_mcp.api.pricing",
    "option_names": "rodin_mcp.api.request",
    "split_option_names": "rodin_mcp.api.split_request",
    "texture_option_names": "rodin_mcp.api.texture_request",
}
"""Where each name lives: they load on first use, so the request models (which the command
line's parser and the tools' signatures need) do not pull in the HTTP client."""

__all__ = [
    "LINK_LIFETIME_SECONDS",
    "MAX_IMAGES",
    "MAX_MODEL_BYTES",
    "PRICES",
    "RESULT_RETENTION_DAYS",
    "SPLITTABLE_TIER",
    "DownloadItem",
    "GenerationRequest",
    "ImagePart",
    "JobStatus",
    "ModelPart",
    "PriceTable",
    "RetryEvent",
    "RetryPolicy",
    "RodinClient",
    "SplitRequest",
    "SubmitResult",
    "TaskStatus",
    "TextureRequest",
    "check_images",
    "check_model_size",
    "create_http_client",
    "error_for_code",
    "estimated_credits",
    "form_fields",
    "option_names",
    "split_option_names",
    "texture_option_names",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'rodin_mcp.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
