"""The asset generator: names, formats, determinism, proportions, face budget, textures, preview."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.emulator.assets import FACE_CAP, GeneratedFile, generate_files
from rodin_mcp.model.glb_reader import read_glb
from rodin_mcp.model.mesh import Mesh
from tests.emulator.assets.requests import by_name, photo, request
from tests.emulator.formats.trimesh_load import has_texture, load_mesh

PBR_TEXTURES = [
    "texture_diffuse.png",
    "texture_normal.png",
    "texture_metallic.png",
    "texture_roughness.png",
]


def _glb_mesh(files: list[GeneratedFile], name: str = "base_basic_pbr.glb") -> Mesh:
    return read_glb(by_name(files)[name].data)


def _png(data: bytes) -> NDArray[np.uint8]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def _extents(mesh: Mesh) -> NDArray[np.float64]:
    low, high = mesh.bounds()
    return (high - low).astype(np.float64)


def _proportions(mesh: Mesh) -> tuple[float, float, float]:
    x, y, z = (round(float(v), 3) for v in _extents(mesh) / _extents(mesh).max())
    return (x, y, z)


@pytest.mark.parametrize(
    ("fmt", "material", "high_pack", "expected"),
    [
        ("glb", "PBR", False, ["base_basic_pbr.glb"]),
        ("glb", "Shaded", False, ["base_basic_shaded.glb"]),
        ("glb", "All", False, ["base_basic_pbr.glb", "base_basic_shaded.glb"]),
        ("glb", "None", False, ["base_basic_pbr.glb"]),
        ("glb", "PBR", True, ["base_basic_pbr.glb", "base_high_pbr.glb"]),
        ("usdz", "All", False, ["base_basic_pbr.usdz", "base_basic_shaded.usdz"]),
        ("obj", "PBR", False, ["base_basic_pbr.obj", "base_basic_pbr.mtl", *PBR_TEXTURES]),
        (
            "obj",
            "All",
            True,
            [
                "base_basic_pbr.obj",
                "base_basic_pbr.mtl",
                "base_basic_shaded.obj",
                "base_basic_shaded.mtl",
                "base_high_pbr.obj",
                "base_high_pbr.mtl",
                "base_high_shaded.obj",
                "base_high_shaded.mtl",
                *PBR_TEXTURES,
                "shaded.png",
                *[name.replace("texture_", "texture_high_") for name in PBR_TEXTURES],
                "shaded_high.png",
            ],
        ),
        ("obj", "None", False, ["base_basic_pbr.obj"]),
        ("fbx", "Shaded", False, ["base_basic_shaded.fbx", "shaded.png"]),
        ("fbx", "PBR", False, ["base_basic_pbr.fbx", *PBR_TEXTURES]),
        ("stl", "PBR", False, ["base_basic_pbr.stl", *PBR_TEXTURES]),
        ("stl", "None", False, ["base_basic_pbr.stl"]),
    ],
)
def test_files_are_named_as_rodin_names_them(
    fmt: str, material: str, high_pack: bool, expected: list[str]
) -> None:
    files = generate_files(
        request(
            geometry_file_format=fmt,
            material=material,
            high_pack=high_pack,
            target_faces=1000,
            preview=True,
        )
    )

    assert [f.name for f in files] == [*expected, "preview.webp"]


def test_content_types_follow_the_file_extension() -> None:
    types = {
        f.name.rsplit(".", 1)[1]: f.content_type
        for fmt in ("glb", "usdz", "obj", "fbx", "stl")
        for f in generate_files(
            request(geometry_file_format=fmt, target_faces=1000, preview=fmt == "glb")
        )
    }

    assert types == {
        "glb": "model/gltf-binary",
        "usdz": "model/vnd.usdz+zip",
        "obj": "model/obj",
        "mtl": "text/plain",
        "fbx": "application/octet-stream",
        "stl": "model/stl",
        "png": "image/png",
        "webp": "image/webp",
    }


def test_no_preview_is_made_when_not_asked_for() -> None:
    assert "preview.webp" not in by_name(generate_files(request(preview=False)))


def test_every_texture_a_model_file_names_is_offered_for_download(tmp_path: Path) -> None:
    for fmt in ("obj", "fbx"):
        files = by_name(
            generate_files(
                request(geometry_file_format=fmt, material="All", high_pack=True, target_faces=1000)
            )
        )
        text = "\n".join(
            f.data.decode() for name, f in files.items() if name.endswith((".mtl", ".fbx"))
        )
        referenced = set(re.findall(r"[\w]+\.png", text))
        assert referenced
        assert referenced <= set(files), referenced - set(files)


def test_obj_and_stl_load_in_trimesh_with_the_expected_faces(tmp_path: Path) -> None:
    obj_files = generate_files(request(geometry_file_format="obj", target_faces=3000))
    stl_files = generate_files(request(geometry_file_format="stl", target_faces=3000))
    for file in [*obj_files, *stl_files]:
        (tmp_path / file.name).write_bytes(file.data)
    reference = _glb_mesh(generate_files(request(target_faces=3000)))

    from_obj = load_mesh(tmp_path / "base_basic_pbr.obj")
    from_stl = load_mesh(tmp_path / "base_basic_pbr.stl", process=True)

    assert len(from_obj.faces) == reference.triangle_count
    assert len(from_stl.faces) == reference.triangle_count
    assert has_texture(from_obj)


def test_the_same_request_gives_byte_identical_files() -> None:
    for fmt in ("glb", "obj", "usdz", "fbx", "stl"):
        req = request(
            geometry_file_format=fmt, material="All", target_faces=2000, preview=fmt == "glb"
        )
        first, second = generate_files(req), generate_files(req)
        assert [(f.name, f.data) for f in first] == [(f.name, f.data) for f in second], fmt


def test_a_different_seed_gives_different_geometry() -> None:
    meshes = [_glb_mesh(generate_files(request(prompt="a table", seed=seed))) for seed in (1, 2, 3)]

    shapes = {_proportions(m) for m in meshes}
    assert len(shapes) == 3


def test_different_nouns_give_different_shapes() -> None:
    chair = _extents(_glb_mesh(generate_files(request(prompt="a chair"))))
    car = _extents(_glb_mesh(generate_files(request(prompt="a car"))))
    sword = _extents(_glb_mesh(generate_files(request(prompt="a sword"))))

    assert car[0] > 1.8 * car[1]  # cars are long and low (length along X)
    assert sword[1] > 4 * sword[0]  # swords stand tall and thin
    assert 0.5 < chair[1] / chair[0] < 3.0


@pytest.mark.parametrize("bbox", [(100, 100, 100), (40, 120, 300), (300, 60, 80), (10, 500, 20)])
@pytest.mark.parametrize("prompt", ["a chair", "a car", "a donut"])
def test_the_bounding_box_condition_sets_the_proportions(
    bbox: tuple[int, int, int], prompt: str
) -> None:
    width_y, height_z, length_x = bbox

    extents = _extents(
        _glb_mesh(generate_files(request(prompt=prompt, bbox=bbox, target_faces=1500)))
    )

    # Rodin's Z-up [Width(Y), Height(Z), Length(X)] is glTF's X = length, Y = height, Z = width.
    expected = np.array([length_x, height_z, width_y], dtype=np.float64)
    np.testing.assert_allclose(extents / extents.max(), expected / expected.max(), rtol=0.01)


def test_without_a_bounding_box_the_largest_side_is_one_metre_and_the_object_is_centred() -> None:
    mesh = _glb_mesh(generate_files(request(prompt="a lamp")))
    low, high = mesh.bounds()

    assert _extents(mesh).max() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose((low + high) / 2, 0.0, atol=1e-5)


def _obj_face_sizes(files: list[GeneratedFile]) -> list[int]:
    text = by_name(files)["base_basic_pbr.obj"].data.decode()
    return [len(line.split()) - 1 for line in text.splitlines() if line.startswith("f ")]


@pytest.mark.parametrize("target", [2000, 18000, 60000])
@pytest.mark.parametrize("mode", ["Quad", "Raw"])
@pytest.mark.parametrize("prompt", ["a robot", "a mushroom"])
def test_the_face_count_is_within_ten_percent_of_the_target(
    target: int, mode: str, prompt: str
) -> None:
    files = generate_files(
        request(prompt=prompt, geometry_file_format="obj", mesh_mode=mode, target_faces=target)
    )

    faces = len(_obj_face_sizes(files))

    assert abs(faces - target) <= 0.1 * target, faces


def test_quad_mode_writes_mostly_quads_and_raw_mode_only_triangles() -> None:
    quad = _obj_face_sizes(generate_files(request(geometry_file_format="obj", mesh_mode="Quad")))
    raw = _obj_face_sizes(generate_files(request(geometry_file_format="obj", mesh_mode="Raw")))

    assert quad.count(4) > 0.8 * len(quad)
    assert set(raw) == {3}


def test_huge_targets_are_capped() -> None:
    mesh = _glb_mesh(
        generate_files(request(prompt="a ball", mesh_mode="Raw", target_faces=1_000_000))
    )

    assert 0.9 * FACE_CAP <= mesh.triangle_count <= FACE_CAP


def test_high_pack_models_have_more_faces_and_larger_textures() -> None:
    files = generate_files(request(high_pack=True, target_faces=2000))
    basic, high = _glb_mesh(files), _glb_mesh(files, "base_high_pbr.glb")

    assert basic.material is not None
    assert basic.material.base_color_png is not None
    assert high.material is not None
    assert high.material.base_color_png is not None
    assert high.triangle_count > 3 * basic.triangle_count
    assert _png(basic.material.base_color_png).shape == (512, 512, 3)
    assert _png(high.material.base_color_png).shape == (1024, 1024, 3)


def test_sketch_models_have_small_textures() -> None:
    mesh = _glb_mesh(generate_files(request(tier="Sketch")))

    assert mesh.material is not None
    assert mesh.material.base_color_png is not None
    assert _png(mesh.material.base_color_png).shape == (256, 256, 3)


def test_pbr_maps_are_real_textures_packed_the_gltf_way() -> None:
    chair = _glb_mesh(generate_files(request(prompt="a wooden chair"))).material
    sword = _glb_mesh(generate_files(request(prompt="a metal sword"))).material
    assert chair is not None
    assert sword is not None
    assert chair.base_color_png
    assert chair.normal_png
    assert chair.metallic_roughness_png
    assert sword.metallic_roughness_png

    colour = _png(chair.base_color_png)
    normal = _png(chair.normal_png).astype(np.float64) / 255.0 * 2.0 - 1.0
    wood = _png(chair.metallic_roughness_png)
    metal = _png(sword.metallic_roughness_png)

    assert len(np.unique(colour.reshape(-1, 3), axis=0)) > 1000  # grain, not a flat colour
    assert np.median(normal[:, :, 2]) > 0.8  # tangent-space normals point mostly out of the surface
    assert normal[:, :, :2].std() > 0.02  # ...with relief
    assert wood[:, :, 2].max() == 0  # wood is not metallic (B)
    assert wood[:, :, 1].std() > 5  # its roughness varies (G)
    assert metal[:, :, 2].max() == 255  # metal parts are metallic


def test_colour_words_in_the_prompt_colour_the_object() -> None:
    def mean_colour(prompt: str) -> NDArray[np.float64]:
        mesh = _glb_mesh(generate_files(request(prompt=prompt)))
        assert mesh.material is not None
        assert mesh.material.base_color_png is not None
        return _png(mesh.material.base_color_png).reshape(-1, 3).astype(np.float64).mean(axis=0)

    red, blue = mean_colour("a red chair"), mean_colour("a blue chair")

    assert red[0] - red[2] > blue[0] - blue[2] + 40


def test_the_input_image_becomes_the_base_colour_texture() -> None:
    image = photo(300, 200)

    mesh = _glb_mesh(generate_files(request(prompt="", image=image)))

    assert mesh.material is not None
    assert mesh.material.base_color_png is not None
    texture = _png(mesh.material.base_color_png).astype(np.int64)
    with Image.open(io.BytesIO(image)) as source:
        expected = np.asarray(
            source.convert("RGB").resize((512, 512), Image.Resampling.LANCZOS), dtype=np.int64
        )
    assert np.abs(texture - expected).mean() < 1.0


def test_transparent_parts_of_the_input_image_become_white() -> None:
    mesh = _glb_mesh(generate_files(request(prompt="a vase", image=photo(alpha=True))))

    assert mesh.material is not None
    assert mesh.material.base_color_png is not None
    right_half = _png(mesh.material.base_color_png)[:, 300:]
    assert right_half.min() >= 250


def test_the_image_is_projected_onto_the_object_from_the_front() -> None:
    mesh = _glb_mesh(generate_files(request(prompt="a ball", image=photo())))

    low, high = mesh.bounds()
    expected_u = (mesh.positions[:, 0] - low[0]) / (high[0] - low[0])
    np.testing.assert_allclose(mesh.uvs[:, 0], expected_u, atol=1e-5)


def test_an_image_that_cannot_be_decoded_falls_back_to_a_procedural_texture(
    caplog: pytest.LogCaptureFixture,
) -> None:
    files = generate_files(request(image=b"not an image at all"))

    mesh = _glb_mesh(files)
    assert mesh.material is not None
    assert mesh.material.base_color_png is not None
    assert "could not be decoded" in caplog.text


def test_shaded_textures_have_lighting_baked_in() -> None:
    files = generate_files(request(prompt="a ball", material="All"))
    pbr, shaded = _glb_mesh(files), _glb_mesh(files, "base_basic_shaded.glb")

    assert pbr.material is not None
    assert shaded.material is not None
    assert shaded.material.unlit
    assert not pbr.material.unlit
    assert pbr.material.base_color_png is not None
    assert shaded.material.base_color_png is not None
    plain = _png(pbr.material.base_color_png).astype(np.float64).mean(axis=-1)
    baked = _png(shaded.material.base_color_png).astype(np.float64).mean(axis=-1)
    ratio = (baked + 1) / (plain + 1)
    assert ratio.std() > 0.05  # light and shadow, not a uniform tint


def test_the_preview_is_a_512_pixel_webp_of_the_object() -> None:
    files = by_name(generate_files(request(preview=True)))

    with Image.open(io.BytesIO(files["preview.webp"].data)) as image:
        assert image.format == "WEBP"
        assert image.size == (512, 512)
        pixels = np.asarray(image.convert("RGB")).astype(np.int64)
    background = pixels[:10, :10].reshape(-1, 3).mean(axis=0)
    differs = np.abs(pixels - background).sum(axis=-1) > 40
    assert 0.05 < differs.mean() < 0.9  # an object, in frame, on a background
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 2000


def test_the_previews_of_a_chair_and_a_car_differ() -> None:
    def preview(prompt: str) -> NDArray[np.int64]:
        data = by_name(generate_files(request(prompt=prompt, preview=True)))["preview.webp"].data
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB")).astype(np.int64)

    chair, car = preview("a wooden chair"), preview("a red car")

    assert np.abs(chair - car).mean() > 10
    silhouette_chair = np.abs(chair - chair[0, 0]).sum(axis=-1) > 40
    silhouette_car = np.abs(car - car[0, 0]).sum(axis=-1) > 40
    assert (silhouette_chair != silhouette_car).mean() > 0.1


def test_an_unknown_file_format_is_refused() -> None:
    with pytest.raises(ValueError, match="geometry_file_format"):
        generate_files(request(geometry_file_format="blend"))


def test_a_decompression_bomb_is_not_decoded(caplog: pytest.LogCaptureFixture) -> None:
    side = int((Image.MAX_IMAGE_PIXELS or 89_478_485) ** 0.5) + 100
    bomb = io.BytesIO()
    Image.new("L", (side, side)).save(bomb, format="PNG")

    files = generate_files(request(image=bomb.getvalue()))

    assert _glb_mesh(files).material is not None
    assert "could not be decoded" in caplog.text
