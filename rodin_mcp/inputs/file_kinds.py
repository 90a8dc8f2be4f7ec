"""The kinds of local file an input may name, and the words their refusals use."""

from __future__ import annotations

from dataclasses import dataclass

from rodin_mcp.errors import ImageInputError, InputError, ModelInputError
from rodin_mcp.inputs.references import WHAT_TO_PASS

__all__ = ["IMAGE", "MODEL", "FileKind"]


@dataclass(frozen=True)
class FileKind:
    """What a local file is taken as: an input image, or a 3D model file.

    Attributes:
        noun: What the file is, as a refusal names it ("image").
        plural: The noun for several of them ("images").
        example: An example absolute path.
        what_to_pass: The kinds of reference a refusal asks for instead.
        what_to_pass_remotely: The same for a person who is not on the server's machine.
        error: The error raised; it takes the message and ``reference=``.
    """

    noun: str
    plural: str
    example: str
    what_to_pass: str
    what_to_pass_remotely: str
    error: type[ImageInputError] | type[ModelInputError]

    def refusal(self, message: str, reference: str) -> InputError:
        """The error for ``message`` about the (safe) ``reference``."""
        return self.error(message, reference=reference)


IMAGE = FileKind(
    noun="image",
    plural="images",
    example="/home/me/pictures/chair.png",
    what_to_pass=WHAT_TO_PASS,
    what_to_pass_remotely="an http(s) URL or a data: URI, or upload the image to this server first",
    error=ImageInputError,
)

MODEL = FileKind(
    noun="model file",
    plural="model files",
    example="/home/me/models/chair.glb",
    what_to_pass="an absolute path on this computer, a file:// URI, or the rodin:// resource URI "
    "of a downloaded file",
    what_to_pass_remotely="the rodin:// resource URI of a downloaded file, or upload the model "
    "file to this server first",
    error=ModelInputError,
)
