"""POST /bang over loopback HTTP: Gen-2 models split into parts, refusals, bill, faults, log."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from rodin_mcp.emulator import ManualClock, RunningEmulator
from rodin_mcp.model import read_glb
from tests.emulator.conftest import StartEmulator
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.emulator.helpers import (
    download_names,
    file_bytes,
    glb_document,
    statuses,
    submitted,
    subscription_key,
)

GEN2 = {"prompt": "a wooden chair", "tier": "Gen-2", "quality_override": "3000"}


@pytest.fixture
def emulator(start_emulator: StartEmulator, manual_clock: ManualClock) -> RunningEmulator:
    return start_emulator(speed=1.0, clock=manual_clock)


def finished_generation(
    client: httpx2.Client, clock: ManualClock, fields: dict[str, str] | None = None
) -> str:
    task_uuid = str(submitted(client, fields or GEN2)["uuid"])
    clock.advance(600)
    return task_uuid


def split(client: httpx2.Client, fields: dict[str, str]) -> httpx2.Response:
    return client.post("bang", files=[(name, (None, value)) for name, value in fields.items()])


def accepted(client: httpx2.Client, fields: dict[str, str]) -> dict[str, object]:
    response = split(client, fields)
    body = response.json()
    assert response.status_code == 201, body
    assert "error" not in body, body
    return body


def test_a_finished_gen2_model_is_split_into_named_parts_that_pass_the_validator(
    client: httpx2.Client, manual_clock: ManualClock, tmp_path: Path
) -> None:
    source = finished_generation(client, manual_clock)
    body = accepted(client, {"asset_id": source, "geometry_file_format": "glb"})
    manual_clock.advance(600)

    assert set(body) == {"message", "submit_time", "uuid", "jobs", "consumed"}
    assert body["consumed"] == 0.5
    assert statuses(client, subscription_key(body)) == ["Done", "Done"]
    task_uuid = str(body["uuid"])
    assert download_names(client, task_uuid) == ["base_basic_pbr.glb", "preview.webp"]
    result = file_bytes(client, task_uuid, "base_basic_pbr.glb")
    document = glb_document(result)
    names = [mesh["name"] for mesh in document["meshes"]]
    assert names == [f"part_{n:02d}" for n in range(1, 6)]
    assert [node["name"] for node in document["nodes"]] == names
    assert len(document["materials"]) == 1
    whole = read_glb(file_bytes(client, source, "base_basic_pbr.glb"))
    assert read_glb(result).triangle_count == whole.triangle_count
    path = tmp_path / "split.glb"
    path.write_bytes(result)
    report = validate_glbs([path])["split.glb"]
    assert counts(report)[0] == 0, issue_summary(report)
    assert report["info"]["totalTriangleCount"] == whole.triangle_count


@pytest.mark.parametrize("strength", [2, 12])
def test_strength_is_the_number_of_parts(
    client: httpx2.Client, manual_clock: ManualClock, strength: int
) -> None:
    source = finished_generation(client, manual_clock)
    body = accepted(client, {"asset_id": source, "strength": str(strength)})
    manual_clock.advance(600)

    document = glb_document(file_bytes(client, str(body["uuid"]), "base_basic_pbr.glb"))
    assert len(document["meshes"]) == strength


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_a_split_request_may_also_come_as_json_or_urlencoded(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock, encoding: str
) -> None:
    source = finished_generation(client, manual_clock)

    if encoding == "json":
        response = client.post("bang", json={"asset_id": source, "strength": 3})
    else:
        response = client.post("bang", data={"asset_id": source, "strength": "3"})

    assert response.status_code == 201
    assert "error" not in response.json()
    assert emulator.requests[-1].fields == {"asset_id": [source], "strength": ["3"]}


def test_material_all_and_obj_give_one_file_per_part_and_variant(
    client: httpx2.Client, manual_clock: ManualClock
) -> None:
    source = finished_generation(client, manual_clock)
    fields = {"asset_id": source, "strength": "2", "material": "All", "geometry_file_format": "obj"}
    body = accepted(client, fields)
    manual_clock.advance(600)

    names = download_names(client, str(body["uuid"]))
    assert names[:8] == [
        "base_basic_pbr_part_01.obj",
        "base_basic_pbr_part_01.mtl",
        "base_basic_pbr_part_02.obj",
        "base_basic_pbr_part_02.mtl",
        "base_basic_shaded_part_01.obj",
        "base_basic_shaded_part_01.mtl",
        "base_basic_shaded_part_02.obj",
        "base_basic_shaded_part_02.mtl",
    ]
    assert "texture_diffuse.png" in names
    assert "shaded.png" in names


def test_an_unknown_asset_id_is_no_such_task(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    response = split(client, {"asset_id": "no-such-task"})

    assert response.status_code == 201
    assert response.json() == {"error": "NO_SUCH_TASK", "message": "No task has this asset_id."}
    assert emulator.balance == 1000


def test_an_unfinished_source_is_refused(emulator: RunningEmulator, client: httpx2.Client) -> None:
    source = str(submitted(client, GEN2)["uuid"])

    response = split(client, {"asset_id": source})

    assert response.json() == {
        "error": "INVALID_REQUEST",
        "message": "Invalid parameter 'asset_id': the task is not finished yet.",
    }
    assert emulator.balance == 999.5


def test_a_source_of_another_tier_than_gen2_is_refused(
    client: httpx2.Client, manual_clock: ManualClock
) -> None:
    source = finished_generation(client, manual_clock, {"prompt": "a chair", "tier": "Regular"})

    response = split(client, {"asset_id": source})

    assert response.json() == {
        "error": "INVALID_REQUEST",
        "message": "Invalid parameter 'asset_id': only the models generated by Rodin Gen-2 can be "
        "used.",
    }


def test_a_failed_source_is_refused(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    emulator.faults.add("rodin=fail")
    source = finished_generation(client, manual_clock)

    response = split(client, {"asset_id": source})

    assert response.json()["message"] == (
        "Invalid parameter 'asset_id': the task failed and has no model."
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Invalid parameter 'asset_id': required."),
        ({"strength": "1"}, "Invalid parameter 'strength': must be an integer from 2 to 12."),
        ({"strength": "13"}, "Invalid parameter 'strength': must be an integer from 2 to 12."),
        ({"strength": "five"}, "Invalid parameter 'strength': must be an integer from 2 to 12."),
        (
            {"material": "Hybrid"},
            "Invalid parameter 'material': must be one of PBR, Shaded, All, None.",
        ),
        (
            {"geometry_file_format": "ply"},
            "Invalid parameter 'geometry_file_format': must be one of glb, usdz, fbx, obj, stl.",
        ),
        ({"resolution": "4K"}, "Invalid parameter 'resolution': must be one of Basic, High."),
    ],
    ids=["no-asset-id", "strength-1", "strength-13", "strength-text", "material", "format", "res"],
)
def test_a_bad_split_request_is_refused_as_invalid_and_costs_nothing(
    emulator: RunningEmulator,
    client: httpx2.Client,
    manual_clock: ManualClock,
    fields: dict[str, str],
    message: str,
) -> None:
    source = finished_generation(client, manual_clock)
    sent = fields if not fields else {"asset_id": source, **fields}

    response = split(client, sent)

    assert response.status_code == 201
    assert response.json() == {"error": "INVALID_REQUEST", "message": message}
    assert emulator.balance == 999.5
    assert len(emulator.tasks) == 1


def test_a_split_costs_half_a_credit_and_a_short_balance_refuses_it(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    source = finished_generation(client, manual_clock)
    accepted(client, {"asset_id": source})
    assert emulator.balance == 999

    emulator.set_balance(0.25)
    response = split(client, {"asset_id": source})

    assert response.json()["error"] == "API_INSUFFICIENT_FUNDS"
    assert emulator.balance == 0.25


def test_a_fault_rule_targets_the_split_route(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    source = finished_generation(client, manual_clock)
    emulator.faults.add("bang=drop:accept")

    with pytest.raises(httpx2.RemoteProtocolError):
        split(client, {"asset_id": source})

    assert emulator.requests[-1].fault == "bang=drop:times=1:accept"
    assert len(emulator.tasks) == 2
    assert emulator.balance == 999


def test_the_request_log_shows_the_fields_of_a_split(
    emulator: RunningEmulator, client: httpx2.Client, manual_clock: ManualClock
) -> None:
    source = finished_generation(client, manual_clock)
    body = accepted(client, {"asset_id": source, "strength": "4", "resolution": "High"})

    record = emulator.requests[-1]
    assert record.endpoint == "bang"
    assert record.fields == {"asset_id": [source], "strength": ["4"], "resolution": ["High"]}
    assert record.file_parts == []
    assert record.task_uuid == body["uuid"]
    assert emulator.tasks[-1].kind == "bang"
