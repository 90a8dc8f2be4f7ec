"""The API pages' curl examples, replayed with curl against the emulator.

The examples are those of https://developer.hyper3d.ai/api-specification/rodin-generation-gen2,
.../check-status, .../download-results and .../check_balance.

Submit with ``-F``, poll ``/status`` until every job is Done (moving a manual clock between polls),
fetch the download list and every file without the Bearer header, check the balance, and see the
401 body without a key.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator, run_emulator_in_thread
from tests.emulator.helpers import png

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

KEY = "curlExampleKey0123456789"


@pytest.fixture
def emulator(manual_clock: ManualClock) -> Iterator[RunningEmulator]:
    config = EmulatorConfig(
        api_key=KEY, speed=1.0, clock=manual_clock, starting_balance=20, parallelism_limit=10
    )
    with run_emulator_in_thread(config) as running:
        yield running


def curl(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        ["curl", "--silent", "--show-error", "--max-time", "30", *args],
        capture_output=True,
        check=True,
        text=True,
        cwd=cwd,
    )
    return result.stdout


def curl_json(*args: str, cwd: Path | None = None) -> dict[str, object]:
    body = json.loads(curl(*args, cwd=cwd))
    assert isinstance(body, dict)
    return body  # pyright: ignore[reportUnknownVariableType]


def auth() -> list[str]:
    return ["-H", f"Authorization: Bearer {KEY}"]


@pytest.fixture
def images(tmp_path: Path) -> Path:
    for name in ("image.jpg", "0.jpg", "1.jpg", "i.jpg"):
        (tmp_path / name).write_bytes(png())
    return tmp_path


def test_every_documented_submit_example_is_accepted(
    emulator: RunningEmulator, images: Path
) -> None:
    url = f"{emulator.base_url}/rodin"
    examples = [
        ["-F", "images=@image.jpg"],
        ["-F", "prompt=A 3D model of a futuristic robot"],
        ["-F", "condition_mode=concat", "-F", "images=@0.jpg", "-F", "images=@1.jpg"],
        [
            *("-F", "images=@i.jpg", "-F", "tier=Gen-2.5-Medium", "-F", "mesh_mode=Raw"),
            *("-F", "quality_override=500000", "-F", "texture_mode=high"),
            *("-F", "geometry_instruct_mode=creative"),
        ],
        ["-F", "bbox_condition=[100,100,100]", "-F", "prompt=A sofa."],
    ]

    bodies = [curl_json(url, *auth(), *example, cwd=images) for example in examples]

    assert [b.get("error") for b in bodies] == [None] * 5
    assert [b["message"] for b in bodies] == ["Submitted."] * 5
    assert [record.image_parts for record in emulator.requests] == [1, 0, 2, 1, 0]


def test_a_text_task_goes_from_submit_to_files_with_curl(
    emulator: RunningEmulator, manual_clock: ManualClock, tmp_path: Path
) -> None:
    api = emulator.base_url
    submitted = curl_json(f"{api}/rodin", *auth(), "-F", "prompt=A 3D model of a futuristic robot")
    jobs = submitted["jobs"]
    assert isinstance(jobs, dict)
    key = json.dumps({"subscription_key": jobs["subscription_key"]})

    polls: list[list[str]] = []
    while not polls or set(polls[-1]) != {"Done"}:
        assert len(polls) < 20
        status = curl_json(
            f"{api}/status", *auth(), "-H", "Content-Type: application/json", "-d", key
        )
        polls.append([job["status"] for job in status["jobs"]])  # type: ignore[union-attr,index]
        manual_clock.advance(10)
    listing = curl_json(
        f"{api}/download",
        *auth(),
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps({"task_uuid": submitted["uuid"]}),
    )
    items = listing["list"]
    assert isinstance(items, list)
    for item in items:  # pyright: ignore[reportUnknownVariableType]
        curl("-f", "-o", str(tmp_path / item["name"]), item["url"])  # pyright: ignore[reportUnknownArgumentType]

    assert polls[0] == ["Waiting", "Waiting"]
    assert ["Generating", "Waiting"] in polls
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base_basic_pbr.glb", "preview.webp"]
    assert (tmp_path / "base_basic_pbr.glb").read_bytes()[:4] == b"glTF"
    assert (tmp_path / "preview.webp").read_bytes()[8:12] == b"WEBP"
    assert curl_json(f"{api}/check_balance", *auth()) == {"balance": 19.5}


def test_curl_without_a_key_sees_the_401_body(emulator: RunningEmulator) -> None:
    out = curl("-w", "\n%{http_code}", f"{emulator.base_url}/check_balance")
    body, code = out.rsplit("\n", 1)

    assert code == "401"
    assert json.loads(body) == {"error": "UNAUTHORIZED", "message": "Active API key is required."}
