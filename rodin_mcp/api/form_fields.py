"""The request on the wire: ordered multipart form fields, and the image parts beside them.

Encoding decisions (https://developer.hyper3d.ai/api-specification/rodin-generation-gen2):

* everything travels as multipart form fields, text as strings, numbers as decimal strings;
* booleans are ``"true"``/``"false"``; a ``False`` flag is simply not sent;
* ``bbox_condition`` and ``image_label`` are sent as one JSON array string each
  (``[100,100,100]``, ``["F","B"]``), the form Rodin's server ``JSON.parse``-s;
* ``high_pack=True`` is sent as one plain field ``addons=HighPack``;
* ``ta_pose`` is sent under its documented wire name ``TAPose``;
* when ``quality_override`` is set it wins and ``quality`` is not sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rodin_mcp.api.request import GenerationRequest, ImageLabel
from rodin_mcp.api.split_request import SplitRequest
from rodin_mcp.api.texture_request import TextureRequest

__all__ = ["ImagePart", "ModelPart", "form_fields", "split_form_fields", "texture_form_fields"]


@dataclass(frozen=True, repr=False)
class ImagePart:
    """One checked input image, ready to travel as a multipart ``images`` part."""

    filename: str
    content_type: str
    data: bytes = field(compare=False)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass(frozen=True, repr=False)
class ModelPart(ImagePart):
    """One checked model file, ready to travel as the multipart ``model`` part."""


def form_fields(request: GenerationRequest) -> list[tuple[str, str]]:
    """The request as ordered multipart form fields (images excluded), as Rodin expects."""
    fields: list[tuple[str, str]] = []
    if request.prompt is not None:
        fields.append(("prompt", request.prompt))
    fields += [
        ("tier", request.tier),
        ("geometry_file_format", request.geometry_file_format),
        ("material", request.material),
    ]
    if request.quality_override is not None:
        fields.append(("quality_override", str(request.quality_override)))
    elif request.quality is not None:
        fields.append(("quality", request.quality))
    _append_if_set(fields, "mesh_mode", request.mesh_mode)
    _append_if_set(fields, "seed", request.seed)
    _append_if_set(fields, "condition_mode", request.condition_mode)
    if request.bbox_condition is not None:
        fields.append(("bbox_condition", _json_array(list(request.bbox_condition))))
    _append_if_set(fields, "mesh_simplify", request.mesh_simplify)
    _append_if_set(fields, "mesh_smooth", request.mesh_smooth)
    if request.high_pack:
        fields.append(("addons", "HighPack"))
    _append_if_set(fields, "height", request.height)
    _append_if_set(fields, "texture_mode", request.texture_mode)
    _append_if_set(fields, "geometry_instruct_mode", request.geometry_instruct_mode)
    if request.image_label is not None:
        fields.append(("image_label", _json_array(request.image_label)))
    _append_if_set(fields, "is_symmetric", request.is_symmetric)
    for wire_name, flag in (
        ("use_original_alpha", request.use_original_alpha),
        ("TAPose", request.ta_pose),
        ("preview_render", request.preview_render),
        ("hd_texture", request.hd_texture),
        ("texture_delight", request.texture_delight),
        ("is_micro", request.is_micro),
    ):
        if flag:
            fields.append((wire_name, "true"))
    return fields


def texture_form_fields(request: TextureRequest) -> list[tuple[str, str]]:
    """A Generate Texture request as ordered form fields (the image and model parts excluded).

    Every option with a documented default is sent explicitly, so the task does not depend on
    Rodin's defaults; ``prompt`` and ``seed`` only when given.
    """
    fields: list[tuple[str, str]] = []
    _append_if_set(fields, "prompt", request.prompt)
    _append_if_set(fields, "seed", request.seed)
    fields += [
        ("geometry_file_format", request.geometry_file_format),
        ("material", request.material),
        ("resolution", request.resolution),
        ("escore", str(request.escore)),
        ("reference_scale", str(request.reference_scale)),
    ]
    return fields


def split_form_fields(request: SplitRequest) -> list[tuple[str, str]]:
    """A BANG split as ordered form fields; the source task travels as ``asset_id``."""
    return [
        ("asset_id", request.task_uuid),
        ("strength", str(request.strength)),
        ("geometry_file_format", request.geometry_file_format),
        ("material", request.material),
        ("resolution", request.resolution),
    ]


def _json_array(values: list[int] | list[ImageLabel]) -> str:
    return json.dumps(values, separators=(",", ":"))


def _append_if_set(fields: list[tuple[str, str]], name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        fields.append((name, "true" if value else "false"))
    else:
        fields.append((name, str(value)))
