"""The one message for an image over ``settings.max_image_bytes``, whatever its source."""

from __future__ import annotations

from rodin_mcp.settings import Settings

__all__ = ["too_large_message"]


def too_large_message(safe: str, settings: Settings) -> str:
    """The refusal for the image named ``safe`` (a safe reference) being over the size limit."""
    limit_mib = settings.max_image_bytes / (1024 * 1024)
    return (
        f"{safe} is larger than the {limit_mib:g} MiB limit for one image "
        "(RODIN_MAX_IMAGE_BYTES). Pass a smaller image."
    )
