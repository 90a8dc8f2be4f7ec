"""POST /rodin_texture_only over loopback HTTP: re-textured uploads, refusals, bill, faults, log."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx2
import numpy as np
import pytest
from PIL import Image

from rodin_mcp.emulator import ManualClock, RunningEmulator
from rodin_mcp.model import read_glb
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.emulator.helpers import download_names, file_bytes, png, statuses, subscription_key
from tests.emulator.models import (
    OBJ_TRIANGLES,
    STL_TRIANGLES,
    ascii_fbx,
    ascii_stl,
    binary_stl,
    glb_model,
    obj_model,
)

BLUE = (20, 40, 230)
WHITE = (255, 255, 255)
Upload = tuple[str, tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]]


@pytest.fixture
def emulator(start_emulator: StartEmulator, manual_clock: ManualClock) -> RunningEmulator:
    return start_emulator(speed=1.0, clock=manual_clock)


def parts(
    fields: dict[str, str] | None = None,
    image: bytes | None = None,
    model: bytes | None = None,
    model_name: str = "model.glb",
) -> list[Upload]:
    uploads: list[Upload] = [(name, (None, value)) for name, value in (fields or {}).items()]
    if image is not None:
        uploads.append(("image", ("reference.png", image, "image/png")))
    if model is not None:
        uploads.append(("model", (model_name, model, "application/octet-stream")))
    return uploads


def retexture(client: httpx2.Client, uploads: list[Upload]) -> httpx2.Response:
    return client.post("rodin_texture_only", files=uploads)


def accepted(client: httpx2.Client, uploads: list[Upload]) -> dict[str, object]:
    response = retexture(client, uploads)
    body = response.json()
    assert response.status_code == 201, body
    assert "error" not in body, body
    return body


def base_colour(glb: bytes) -> np.ndarray:
    material = read_glb(glb).material
    assert material is not None
    assert material.base_color_png is not None
    with Image.open(io.BytesIO(material.base_color_png)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0)


def test_an_uploaded_glb_is_retextured_keeping_its_geometry_and_passes_the_validator(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock, tmp_path: Path
) -> None:
    source = glb_model()
    body = accepted(client, parts(image=png(64, 64, BLUE), model=source))
    manual_clock.advance(600)

    assert set(body) == {"message", "submit_time", "uuid", "jobs", "consumed"}
    assert body["consumed"] == 0.5
    assert statuses(client, subscription_key(body)) == ["Done", "Done"]
    task_uuid = str(body["uuid"])
    assert download_names(client, task_uuid) == ["base_basic_pbr.glb", "preview.webp"]
    result = file_bytes(client, task_uuid, "base_basic_pbr.glb")
    assert file_bytes(client, task_uuid, "preview.webp")[8:12] == b"WEBP"
    before, after = read_glb(source), read_glb(result)
    assert after.triangle_count == before.triangle_count
    np.testing.assert_allclose(after.bounds(), before.bounds())
    red, green, blue = base_colour(result)
    assert blue > 150
    assert blue > 3 * max(red, green)
    path = tmp_path / "retextured.glb"
    path.write_bytes(result)
    report = validate_glbs([path])["retextured.glb"]
    assert counts(report)[0] == 0, issue_summary(report)


def test_a_colour_word_in_the_prompt_tints_the_new_texture(
    client: httpx2.Client, manual_clock: ManualClock
) -> None:
    body = accepted(client, parts({"prompt": "make it red"}, png(32, 32, WHITE), glb_model()))
    manual_clock.advance(600)

    red, green, blue = base_colour(file_bytes(client, str(body["uuid"]), "base_basic_pbr.glb"))
    assert red > max(green, blue) + 30
    assert body["prompt"] == "make it red"


@pytest.mark.parametrize(
    ("model", "triangles"),
    [(obj_model(), OBJ_TRIANGLES), (binary_stl(), STL_TRIANGLES), (ascii_stl(), STL_TRIANGLES)],
    ids=["obj", "binary-stl", "ascii-stl"],
)
def test_obj_and_stl_uploads_are_retextured_with_their_triangles(
    client: httpx2.Client, manual_clock: ManualClock, model: bytes, triangles: int
) -> None:
    body = accepted(client, parts(image=png(), model=model, model_name="upload.bin"))
    manual_clock.advance(600)

    result = read_glb(file_bytes(client, str(body["uuid"]), "base_basic_pbr.glb"))
    assert result.triangle_count == triangles


def test_shaded_high_resolution_obj_output_has_its_files_and_loose_texture(
    client: httpx2.Client, manual_clock: ManualClock
) -> None:
    fields = {"material": "Shaded", "resolution": "High", "geometry_file_format": "obj"}
    body = accepted(client, parts(fields, png(), glb_model()))
    manual_clock.advance(600)

    names = download_names(client, str(body["uuid"]))
    assert names == [
        "base_high_shaded.obj",
        "base_high_shaded.mtl",
        "shaded_high.png",
        "preview.webp",
    ]


def test_an_fbx_upload_is_accepted_and_billed_but_its_texture_job_fails(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    body = accepted(client, parts(image=png(), model=ascii_fbx(), model_name="m.fbx"))
    manual_clock.advance(600)

    assert statuses(client, subscription_key(body)) == ["Done", "Failed"]
    assert download_names(client, str(body["uuid"])) == []
    assert emulator.balance == 999.5


def _big_glb() -> bytes:
    return b"glTF" + b"\0" * (10 * 1024 * 1024 - 3)


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        (parts(model=glb_model()), "Invalid parameter 'image': required."),
        (parts(image=png()), "Invalid parameter 'model': required."),
        (
            [*parts(image=png(), model=glb_model()), ("image", ("b.png", png(), "image/png"))],
            "Invalid parameter 'image': exactly one reference image is allowed.",
        ),
        (
            parts(image=b"not an image", model=glb_model()),
            "Invalid parameter 'image': is not a PNG, JPEG, WEBP or other image file.",
        ),
        (
            parts(image=png(), model=b"hello, I am not a model"),
            "Invalid parameter 'model': is not a GLB, USDZ, FBX, OBJ or STL model.",
        ),
        (
            parts(image=png(), model=_big_glb()),
            "Invalid parameter 'model': must be at most 10 MB.",
        ),
        (
            parts({"geometry_file_format": "ply"}, png(), glb_model()),
            "Invalid parameter 'geometry_file_format': must be one of glb, usdz, fbx, obj, stl.",
        ),
        (
            parts({"material": "All"}, png(), glb_model()),
            "Invalid parameter 'material': must be one of PBR, Shaded.",
        ),
        (
            parts({"resolution": "Ultra"}, png(), glb_model()),
            "Invalid parameter 'resolution': must be one of Basic, High.",
        ),
        (
            parts({"seed": "65536"}, png(), glb_model()),
            "Invalid parameter 'seed': must be an integer from 0 to 65535.",
        ),
        (
            parts({"seed": "-1"}, png(), glb_model()),
            "Invalid parameter 'seed': must be an integer from 0 to 65535.",
        ),
        (
            parts({"escore": "high"}, png(), glb_model()),
            "Invalid parameter 'escore': must be a number.",
        ),
        (
            parts({"reference_scale": "0"}, png(), glb_model()),
            "Invalid parameter 'reference_scale': must be a number above 0.",
        ),
    ],
    ids=[
        "no-image",
        "no-model",
        "two-images",
        "image-not-an-image",
        "model-not-a-model",
        "model-over-10-mb",
        "format",
        "material",
        "resolution",
        "seed-high",
        "seed-negative",
        "escore",
        "reference-scale",
    ],
)
def test_a_bad_texture_request_is_refused_as_invalid_and_costs_nothing(
    emulator: RunningEmulator, client: httpx2.Client, uploads: list[Upload], message: str
) -> None:
    response = retexture(client, uploads)

    assert response.status_code == 201
    assert response.json() == {"error": "INVALID_REQUEST", "message": message}
    assert emulator.balance == 1000
    assert emulator.tasks == []


def test_a_model_of_exactly_10_mib_is_accepted(client: httpx2.Client) -> None:
    model = obj_model().ljust(10 * 1024 * 1024, b"\n")

    assert "error" not in retexture(client, parts(image=png(), model=model)).json()


def test_a_texture_task_costs_half_a_credit_and_a_short_balance_refuses_it(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    accepted(client, parts(image=png(), model=obj_model()))
    assert emulator.balance == 999.5

    emulator.set_balance(0.4)
    response = retexture(client, parts(image=png(), model=obj_model()))

    assert response.json()["error"] == "API_INSUFFICIENT_FUNDS"
    assert emulator.balance == 0.4
    assert len(emulator.tasks) == 1


def test_the_texture_route_needs_the_api_key(emulator: RunningEmulator) -> None:
    response = httpx2.post(
        emulator.base_url + "/rodin_texture_only", files=parts(image=png(), model=obj_model())
    )

    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHORIZED"


def test_a_fault_rule_targets_the_texture_route_and_not_the_generation_route(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    emulator.faults.add("rodin_texture_only=503")

    assert client.post("rodin", data={"prompt": "a cup"}).status_code == 201
    assert retexture(client, parts(image=png(), model=obj_model())).status_code == 503
    assert [record.fault for record in emulator.requests] == [
        None,
        "rodin_texture_only=503:times=1",
    ]


def test_a_fail_fault_accepts_the_texture_task_and_fails_its_texture_job(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    emulator.faults.add("rodin_texture_only=fail")
    body = accepted(client, parts(image=png(), model=obj_model()))
    manual_clock.advance(600)

    assert statuses(client, subscription_key(body)) == ["Done", "Failed"]


def test_the_request_log_shows_each_part_and_field_that_was_sent(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    image, model = png(), glb_model()
    body = accepted(client, parts({"prompt": "a blue mug", "seed": "7"}, image, model))

    record = emulator.requests[-1]
    assert record.endpoint == "rodin_texture_only"
    assert record.content_type == "multipart/form-data"
    assert record.fields == {"prompt": ["a blue mug"], "seed": ["7"]}
    assert [(p.name, p.filename, p.content_type, p.size, p.sha256) for p in record.file_parts] == [
        ("image", "reference.png", "image/png", len(image), hashlib.sha256(image).hexdigest()),
        (
            "model",
            "model.glb",
            "application/octet-stream",
            len(model),
            hashlib.sha256(model).hexdigest(),
        ),
    ]
    assert record.task_uuid == body["uuid"]


def test_a_texture_task_is_listed_with_its_kind(
    emulator: RunningEmulator, make_client: MakeClient
) -> None:
    accepted(make_client(emulator), parts({"prompt": "green"}, png(), obj_model()))

    view = emulator.tasks[0]
    assert (view.kind, view.tier, view.prompt, view.cost) == (
        "rodin_texture_only",
        None,
        "green",
        0.5,
    )
