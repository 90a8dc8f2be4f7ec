"""Turn image references from a person or a model into checked image bytes.

A reference is one of:

- an absolute local path: POSIX (``/home/me/chair.png``, ``~/chair.png``) or, when this server runs
  on Windows, ``C:\\Users\\me\\chair.png`` or ``C:/Users/...`` (a path on another computer,
  ``\\\\host\\share\\...``, only inside an allowed folder on that share);
- a ``file://`` URI (percent-decoded; ``file:///C:/...`` on Windows);
- a ``data:`` URI, base64 or percent-encoded; a declared type must match the bytes;
- an ``http://`` or ``https://`` URL, fetched here behind an SSRF guard.

:func:`load_images` is the entry point. Every image is checked by its magic bytes (PNG, JPEG and
WEBP are accepted, nothing is converted) and numbered ``0000.png``, ``0001.jpg``... in the order
given (Rodin treats the first as the main view).

The guarantees, each documented where it is kept:

- :mod:`~rodin_mcp.inputs.images`: at most :data:`MAX_IMAGES`, the checks every image passes;
- :mod:`~rodin_mcp.inputs.image_types`: what is accepted, and how refused types are named;
- :mod:`~rodin_mcp.inputs.local_files`: which files may be read, and the explanation for paths in
  an assistant's sandbox;
- :mod:`~rodin_mcp.inputs.network_paths`: paths on another computer and device paths, refused from
  their text before any file-system call;
- :mod:`~rodin_mcp.inputs.allowed_folders`: ``allowed_input_dirs``, checked on the path as written
  and again on its real path;
- :mod:`~rodin_mcp.inputs.data_uris`: how ``data:`` URIs are decoded;
- :mod:`~rodin_mcp.inputs.fetching`: how a URL is fetched (DNS pinning, redirects, no
  credentials, capped body and time);
- :mod:`~rodin_mcp.inputs.ssrf`: which addresses a URL may lead to (:func:`address_refusal`);
- :mod:`~rodin_mcp.inputs.references`: how references are cleaned and shown in messages;
- :mod:`~rodin_mcp.inputs.dispatch`: which of the above a reference goes to.
"""

from rodin_mcp.inputs.fetching import MAX_REDIRECTS
from rodin_mcp.inputs.image_types import ACCEPTED_IMAGE_TYPES, sniff_image_type
from rodin_mcp.inputs.images import MAX_IMAGES, LoadedImage, load_images
from rodin_mcp.inputs.ssrf import address_refusal

__all__ = [
    "ACCEPTED_IMAGE_TYPES",
    "MAX_IMAGES",
    "MAX_REDIRECTS",
    "LoadedImage",
    "address_refusal",
    "load_images",
    "sniff_image_type",
]
