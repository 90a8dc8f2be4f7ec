"""Rodin's REST wire: the request and its rules, its encoding, pricing, responses, the retry
policy and the async client.

Typical use::

    from rodin_mcp.api import GenerationRequest, RodinClient, create_http_client

    async with create_http_client(settings) as http:
        rodin = RodinClient(http, settings=settings)
        task = await rodin.submit(GenerationRequest(prompt="a red chair"))
        status = await rodin.status(task.subscription_key)
"""

from rodin_mcp.api.client import RodinClient, create_http_client
from rodin_mcp.api.error_codes import error_for_code
from rodin_mcp.api.form_fields import ImagePart, ModelPart, form_fields
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
