"""Rodin's REST wire: typed models, the retry policy and the async client.

Typical use::

    from rodin_mcp.api import GenerationRequest, RodinClient, create_http_client

    async with create_http_client(settings) as http:
        rodin = RodinClient(http, settings=settings)
        task = await rodin.submit(GenerationRequest(prompt="a red chair"))
        status = await rodin.status(task.subscription_key)
"""

from rodin_mcp.api.client import RodinClient, create_http_client, error_for_code
from rodin_mcp.api.models import (
    DownloadItem,
    GenerationRequest,
    ImagePart,
    JobStatus,
    StatusResult,
    SubmitResult,
    TaskState,
)
from rodin_mcp.api.retry import RetryEvent, RetryPolicy

__all__ = [
    "DownloadItem",
    "GenerationRequest",
    "ImagePart",
    "JobStatus",
    "RetryEvent",
    "RetryPolicy",
    "RodinClient",
    "StatusResult",
    "SubmitResult",
    "TaskState",
    "create_http_client",
    "error_for_code",
]
