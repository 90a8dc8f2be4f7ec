"""Software preview of a textured mesh: a lit three-quarter view on a light background.

The mesh is rasterised (supersampled, then box-filtered down) from a camera 35 degrees round
and 22 degrees above its front (+Z), framed on its bounding sphere. Shading is done in linear
light: the base-colour texture (bilinear, repeat) and the metallic-roughness texture when
present, a key, fill and rim light with Lambert diffuse and Blinn-Phong highlights, and a sky
ambient term. Unlit materials show their base colour as is. A soft contact shadow sits under
the object.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Mesh
from rodin_mcp.model.render.colour import linear_to_srgb8, srgb8_to_linear, srgb_to_linear
from rodin_mcp.model.render.raster import rasterize
from rodin_mcp.model.render.scene import Scene, prepare_scene

__all__ = ["Camera", "render_preview", "render_rgb", "render_view"]

Float = NDArray[np.float64]
_T = TypeVar("_T", bound=np.generic)

_BACKGROUND_TOP = np.array([0.955, 0.960, 0.968])
_BACKGROUND_BOTTOM = np.array([0.860, 0.870, 0.885])
_DEFAULT_ALBEDO = np.array([0.72, 0.72, 0.74])


@dataclass(frozen=True)
class Camera:
    """Where the preview looks from.

    Attributes:
        azimuth: Degrees round the vertical axis from the front (+Z) towards +X.
        elevation: Degrees above the horizontal.
        fov: Vertical field of view in degrees.
    """

    azimuth: float = 35.0
    elevation: float = 22.0
    fov: float = 30.0


@dataclass(frozen=True)
class _View:
    eye: Float
    right: Float
    up: Float
    forward: Float
    focal: float


def _look(scene: Scene, camera: Camera) -> _View:
    centre, radius = scene.centre, scene.radius
    az, el = math.radians(camera.azimuth), math.radians(camera.elevation)
    direction = np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])
    half = math.radians(camera.fov) / 2.0
    eye = centre + direction * (radius / math.sin(half) * 1.04)
    forward = -direction
    right = np.cross(forward, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return _View(eye, right, up, forward, 1.0 / math.tan(half))


def _background(
    size: int, shadow_centre: tuple[float, float], shadow_radii: tuple[float, float]
) -> NDArray[np.uint8]:
    """The backdrop, sRGB: a soft vertical gradient with a contact shadow ellipse."""
    t = np.linspace(0.0, 1.0, size)[:, None, None]
    gradient = _BACKGROUND_TOP * (1 - t) + _BACKGROUND_BOTTOM * t
    yy, xx = np.ogrid[0:size, 0:size]
    cx, cy = shadow_centre
    rx, ry = max(shadow_radii[0], 1.0), max(shadow_radii[1], 1.0)
    d2 = ((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2
    image = gradient * (1.0 - 0.28 * np.exp(-d2 * 1.6))[:, :, None]
    return np.round(image * 255.0).astype(np.uint8)


def _lights(view: _View) -> list[tuple[Float, float]]:
    def towards(x: float, y: float, z: float) -> Float:
        d = view.right * x + view.up * y - view.forward * z
        return d / np.linalg.norm(d)

    return [
        (towards(-0.55, 0.75, 0.55), 2.2),
        (towards(0.8, 0.2, 0.4), 0.6),
        (towards(0.1, 0.5, -0.9), 0.7),
    ]


def _sample_nearest(texture: NDArray[_T], uv: NDArray[np.float32]) -> NDArray[_T]:
    """Nearest-texel lookup with repeat wrapping (supersampling does the filtering)."""
    h, w = texture.shape[0], texture.shape[1]
    x = (np.floor(uv[:, 0] * w).astype(np.int64)) % w
    y = (np.floor(uv[:, 1] * h).astype(np.int64)) % h
    # ``take`` on the flattened image: faster than ``texture[y, x]``.
    return np.take(texture.reshape(h * w, -1), y * w + x, axis=0)


# Small products by columns rather than with ``@``/``einsum``: matmul goes to BLAS, whose
# threads spin against other work on a busy machine (twice the CPU time measured here), and
# einsum has no fast path for a length-3 axis.
def _against(vectors: NDArray[np.float32], directions: NDArray[np.float32]) -> NDArray[np.float32]:
    """``(p, l)`` dot products of ``(p, 3)`` vectors with ``(l, 3)`` directions."""
    products = (
        vectors[:, 0:1] * directions[:, 0]
        + vectors[:, 1:2] * directions[:, 1]
        + vectors[:, 2:3] * directions[:, 2]
    )
    return products.astype(np.float32, copy=False)


def _weighted_sum(values: NDArray[np.float32], weights: NDArray[np.float32]) -> NDArray[np.float32]:
    """``(p, 1)`` sums of ``(p, l)`` values times ``(l,)`` weights."""
    total = values[:, 0:1] * weights[0]
    for column in range(1, values.shape[1]):
        total = total + values[:, column : column + 1] * weights[column]
    return total


def _shade(
    scene: Scene,
    view: _View,
    triangles: NDArray[np.int64],
    tri_ids: NDArray[np.int64],
    bary: Float,
    camera_depth: Float,
) -> NDArray[np.float32]:
    """Linear RGB for each covered pixel.

    Highlights use one view direction for the whole frame (the camera's axis), which at this
    field of view is indistinguishable from per-pixel vectors and much cheaper.
    """
    mesh = scene.mesh
    # Gathers use ``np.take``: faster than fancy indexing with a 2-D index.
    corners = np.take(triangles, tri_ids, axis=0)  # (p, 3)
    # Perspective-correct weights: screen weights divided by each corner's depth.
    w = (bary / np.take(camera_depth, corners)).astype(np.float32)
    w /= (w[:, 0] + w[:, 1] + w[:, 2])[:, None]  # column adds: axis=1 sums of 3 are slow
    normals = np.einsum("pk,pkc->pc", w, np.take(mesh.normals, corners, axis=0))
    normals /= np.maximum(np.sqrt(np.einsum("pc,pc->p", normals, normals)), 1e-12)[:, None]
    to_eye = (-view.forward).astype(np.float32)
    normals *= np.where(np.einsum("pc,c->p", normals, to_eye) < 0, -1.0, 1.0).astype(np.float32)[
        :, None
    ]
    uv = np.einsum("pk,pkc->pc", w, np.take(mesh.uvs, corners, axis=0))

    material = scene.material
    factor = np.asarray(material.base_color_factor[:3], dtype=np.float32)
    if scene.base_colour is not None:
        albedo = srgb8_to_linear(_sample_nearest(scene.base_colour, uv)) * factor
    elif scene.textured:
        albedo = np.broadcast_to(factor, normals.shape).copy()
    else:
        default = srgb_to_linear(_DEFAULT_ALBEDO).astype(np.float32)
        albedo = np.broadcast_to(default, normals.shape).copy()
    if material.unlit:
        return albedo.astype(np.float32)
    if scene.roughness_metallic is not None:
        packed = _sample_nearest(scene.roughness_metallic, uv).astype(np.float32) / 255.0
        roughness = np.clip(packed[:, 0] * material.roughness_factor, 0.04, 1.0)
        metallic = np.clip(packed[:, 1] * material.metallic_factor, 0.0, 1.0)
    else:
        roughness = np.full(len(uv), np.clip(material.roughness_factor, 0.04, 1.0), np.float32)
        metallic = np.full(len(uv), np.clip(material.metallic_factor, 0.0, 1.0), np.float32)

    lights = _lights(view)
    directions = np.stack([d for d, _ in lights]).astype(np.float32)  # (l, 3)
    strengths = np.array([s for _, s in lights], dtype=np.float32)
    halves = directions + to_eye
    halves /= np.linalg.norm(halves, axis=1, keepdims=True)
    lambert = np.clip(_against(normals, directions), 0.0, None)
    shininess = np.clip(2.0 / (roughness**4 + 1e-4) - 2.0, 2.0, 512.0)[:, None]
    # exp(log) because float32 ``**`` with per-element exponents has no fast path.
    cosine = np.clip(_against(normals, halves), 1e-30, None)
    spec = np.exp(shininess * np.log(cosine))
    spec *= (shininess + 8.0) / (8.0 * math.pi) * lambert
    diffuse_light = _weighted_sum(lambert, strengths) * np.float32(1.6 / math.pi)
    spec_light = _weighted_sum(spec, strengths) * np.float32(0.6)

    sky = 0.5 + 0.5 * normals[:, 1:2]
    metal = metallic[:, None]
    diffuse_colour = albedo * (1.0 - metal * 0.85)
    spec_colour = 0.04 * (1 - metal) + albedo * metal
    colour = diffuse_colour * (0.18 + 0.22 * sky + diffuse_light)
    colour += spec_colour * (0.25 * sky + spec_light)
    return colour.astype(np.float32)


def render_rgb(
    mesh: Mesh, size: int = 512, *, supersample: int = 2, camera: Camera | None = None
) -> Image.Image:
    """Render the mesh to an RGB image of ``size`` x ``size`` pixels.

    Args:
        mesh: The mesh, with its material and textures.
        size: Output width and height in pixels.
        supersample: Render this many times larger, then average down (anti-aliasing).
        camera: Viewpoint; the default is a three-quarter view from the front right.

    Returns:
        The preview as a Pillow RGB image.
    """
    return render_view(prepare_scene(mesh), size, supersample=supersample, camera=camera)


def render_view(
    scene: Scene, size: int = 512, *, supersample: float = 2.0, camera: Camera | None = None
) -> Image.Image:
    """Render a prepared scene to an RGB image of ``size`` x ``size`` pixels.

    Args:
        scene: The mesh made ready by :func:`~rodin_mcp.model.render.scene.prepare_scene`.
        size: Output width and height in pixels.
        supersample: Render this many times larger, then average down (anti-aliasing);
            a fraction such as 1.5 is box-filtered down.
        camera: Viewpoint; the default is a three-quarter view from the front right.

    Returns:
        The view as a Pillow RGB image.
    """
    mesh = scene.mesh
    full = max(size, round(size * supersample))
    view = _look(scene, camera or Camera())
    rel = mesh.positions.astype(np.float64) - view.eye
    depth = np.maximum(np.einsum("nc,c->n", rel, view.forward), 1e-6)
    sx = np.einsum("nc,c->n", rel, view.right) / depth * view.focal
    sy = np.einsum("nc,c->n", rel, view.up) / depth * view.focal
    screen = np.stack([(sx + 1.0) * full / 2.0, (1.0 - sy) * full / 2.0, depth], axis=1)

    foot = _footprint(scene.low, scene.high, view, full)
    image = _background(full, *foot).reshape(-1, 3)
    if mesh.face_count:
        triangles = scene.triangles
        coverage = rasterize(screen, triangles, full, full, cull_clockwise=True)
        where = coverage.pixels
        if len(where):
            shaded = _shade(
                scene,
                view,
                triangles,
                coverage.triangle.reshape(-1)[where],
                coverage.weights,
                depth,
            )
            image[where] = linear_to_srgb8(shaded)
    picture = Image.fromarray(image.reshape(full, full, 3), "RGB")
    if full == size:
        return picture
    if full % size == 0:
        return picture.reduce(full // size)
    return picture.resize((size, size), Image.Resampling.BOX)


def _footprint(
    low: Float, high: Float, view: _View, full: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Screen centre and radii of the shadow ellipse under the object's base."""
    centre = np.array([(low[0] + high[0]) / 2, low[1], (low[2] + high[2]) / 2])
    spread = max(high[0] - low[0], high[2] - low[2]) * 0.55
    points = [
        centre + np.array([dx, 0.0, dz])
        for dx, dz in ((spread, 0), (-spread, 0), (0, spread), (0, -spread))
    ]
    xs: list[float] = []
    ys: list[float] = []
    for p in [centre, *points]:
        rel = p - view.eye
        d = max(float(rel @ view.forward), 1e-6)
        xs.append((float(rel @ view.right) / d * view.focal + 1.0) * full / 2.0)
        ys.append((1.0 - float(rel @ view.up) / d * view.focal) * full / 2.0)
    rx = (max(xs) - min(xs)) / 2.0
    ry = max((max(ys) - min(ys)) / 2.0, rx * 0.18)
    return (xs[0], ys[0]), (rx, ry)


def render_preview(
    mesh: Mesh, size: int = 512, *, supersample: int = 2, quality: int = 88
) -> bytes:
    """Render the mesh as ``preview.webp`` bytes (lossy WEBP, deterministic for equal input).

    Args:
        mesh: The mesh, with its material and textures.
        size: Output width and height in pixels.
        supersample: Anti-aliasing factor (see :func:`render_rgb`).
        quality: WEBP quality, 0-100.

    Returns:
        The encoded WEBP image.
    """
    out = io.BytesIO()
    render_rgb(mesh, size, supersample=supersample).save(
        out, format="WEBP", quality=quality, method=4
    )
    return out.getvalue()
