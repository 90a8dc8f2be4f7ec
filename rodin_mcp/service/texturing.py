"""Generate Texture as a paid submission: new textures for a model, from one reference image.

The options are checked first, then the model file (:mod:`.model_uploads`), then the image
through the same loader and guards as a generation's images; nothing is recorded for input that
cannot be used. Two textures are "the same request" when their options, model bytes and image
bytes are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rodin_mcp.api import PRICES, ImagePart, RodinClient, SubmitResult, TextureRequest
from rodin_mcp.inputs import LoadedImage, load_images
from rodin_mcp.ledger import Ledger, SubmissionDraft, request_fingerprint
from rodin_mcp.people import Person
from rodin_mcp.records import MODEL_FILE_KEY, TaskKind
from rodin_mcp.service.model_uploads import ModelUpload, load_model_upload
from rodin_mcp.service.reach import may_read_local_files
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.service.uploads import Uploads
from rodin_mcp.settings import Settings

__all__ = ["PreparedTexture", "prepare_texture"]


@dataclass(frozen=True)
class PreparedTexture:
    """A texture task whose options, model and image were checked and loaded."""

    request: TextureRequest
    model: ModelUpload
    image: LoadedImage
    fingerprint: str

    @property
    def cost(self) -> float:
        """Credits a texture task costs."""
        return PRICES.texture

    def draft(self, *, sandbox: bool, scope: str, person: str) -> SubmissionDraft:
        """The ledger row written before the texture request leaves."""
        return SubmissionDraft(
            fingerprint=self.fingerprint,
            request={**self.request.model_dump(mode="json"), MODEL_FILE_KEY: self.model.name},
            image_count=1,
            prompt=self.request.prompt,
            tier=None,
            estimated_credits=self.cost,
            sandbox=sandbox,
            scope=scope,
            person=person,
            kind=TaskKind.TEXTURE,
            source=self.model.source,
        )

    async def send(self, client: RodinClient) -> SubmitResult:
        """``POST /rodin_texture_only`` with the image and the model, once."""
        image = ImagePart(self.image.filename, self.image.content_type, self.image.data)
        return await client.submit_texture(self.request, image, self.model.part)


async def prepare_texture(
    options: Mapping[str, Any],
    model_reference: str,
    image_reference: str,
    person: Person,
    settings: Settings,
    ledger: Ledger,
    uploads: Uploads,
) -> PreparedTexture:
    """Check the options, then the model file, then the image (in that order); the uploads among
    them are used up once both are loaded.

    Raises:
        InputError: the options, the model or the image cannot be used; nothing was sent or
            recorded.
    """
    request = TextureRequest.model_validate(dict(options))
    uploaded = UploadedInputs(uploads, person)
    model = await load_model_upload(model_reference, person, settings, ledger, uploaded)
    local_files = may_read_local_files(person, settings)
    (image,) = await load_images(
        [image_reference], settings, local_files=local_files, uploads=uploaded
    )
    fingerprint = request_fingerprint(
        {"kind": TaskKind.TEXTURE.value, **request.model_dump(mode="json")},
        [model.sha256, image.sha256],
    )
    await uploaded.use_up()
    return PreparedTexture(request, model, image, fingerprint)
