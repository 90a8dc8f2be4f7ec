"""What inspecting a model file tells: counts, size, materials and textures."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

__all__ = ["BoundingBox", "ModelFacts", "TextureFacts"]

Vector3 = tuple[float, float, float]


class BoundingBox(BaseModel):
    """Axis-aligned bounds of a model, in the file's units (metres for Rodin's results)."""

    minimum: Vector3
    maximum: Vector3

    @computed_field
    @property
    def size(self) -> Vector3:
        """Extent along x, y and z."""
        lo, hi = self.minimum, self.maximum
        return (hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2])


class TextureFacts(BaseModel):
    """One texture image a model uses (embedded, or a file next to it)."""

    name: str = Field(description="Image name in the file, or the texture file's name.")
    role: str | None = Field(default=None, description="What it feeds: base colour, normal, ...")
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    byte_size: int = Field(description="Size of the encoded image in bytes.")


class ModelFacts(BaseModel):
    """Facts about one model file; what a format does not tell cheaply stays ``None``."""

    path: str
    format: str = Field(description="glb, obj, stl, fbx, usdz, 3mf, or unknown.")
    file_size: int = Field(description="Size of the model file in bytes.")
    vertex_count: int | None = None
    triangle_count: int | None = Field(
        default=None, description="Triangles once every polygon is split into triangles."
    )
    bounding_box: BoundingBox | None = None
    up_axis: str | None = Field(
        default=None,
        description="The axis that points up, such as +Y, as the file or format states.",
    )
    units: str | None = Field(
        default=None, description="Length unit of the coordinates; None when the format has none."
    )
    meshes: list[str] = Field(default_factory=list[str], description="Mesh (object) names.")
    watertight: bool | None = Field(
        default=None,
        description="True when every edge joins exactly two triangles (closed surface); None "
        "when not checked for this format or size.",
    )
    materials: list[str] = Field(default_factory=list[str], description="Material names.")
    textures: list[TextureFacts] = Field(default_factory=list[TextureFacts])
    notes: list[str] = Field(
        default_factory=list[str], description="What could not be read, and why."
    )
