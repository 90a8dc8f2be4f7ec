"""The four /api/v2 endpoints: success shapes, auth, body encodings, unknown ids."""

from __future__ import annotations

from datetime import datetime

import httpx2
import jwt
import pytest
from starlette.types import Message, Scope

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, create_app
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import png, submit, submitted, subscription_key

UNAUTHORIZED = {"error": "UNAUTHORIZED", "message": "Active API key is required."}


def test_submit_answers_201_with_the_documented_and_observed_fields(client: httpx2.Client) -> None:
    response = submit(client, {"prompt": "a small red robot"})

    body = response.json()
    assert response.status_code == 201
    assert set(body) == {"message", "prompt", "submit_time", "uuid", "jobs", "consumed"}
    assert body["message"] == "Submitted."
    assert body["prompt"] == "a small red robot"
    assert body["consumed"] == 0.5
    assert datetime.fromisoformat(body["submit_time"]).utcoffset() is not None
    assert len(body["jobs"]["uuids"]) == 2
    assert body["uuid"] not in body["jobs"]["uuids"]


def test_subscription_key_is_an_hs256_jwt_listing_the_job_ids(client: httpx2.Client) -> None:
    body = submitted(client, {"prompt": "a chair"})

    token = subscription_key(body)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["type"] == 1
    assert payload["jobIds"] == body["jobs"]["uuids"]  # type: ignore[index]
    assert isinstance(payload["iat"], int)


def test_image_submit_without_prompt_gets_a_caption_as_prompt(client: httpx2.Client) -> None:
    body = submitted(client, {}, images=[png()])

    assert isinstance(body["prompt"], str)
    assert body["prompt"]


def test_submit_accepts_an_urlencoded_body_without_files(client: httpx2.Client) -> None:
    response = client.post("rodin", data={"prompt": "a lamp", "tier": "Sketch"})

    assert response.status_code == 201
    assert response.json()["message"] == "Submitted."


def test_status_lists_each_job_with_a_status(client: httpx2.Client) -> None:
    body = submitted(client, {"prompt": "a cup"})

    response = client.post("status", json={"subscription_key": subscription_key(body)})

    assert response.status_code == 201
    jobs = response.json()["jobs"]
    assert [job["uuid"] for job in jobs] == body["jobs"]["uuids"]  # type: ignore[index]
    assert all(job["status"] in {"Waiting", "Generating", "Done"} for job in jobs)
    assert "error" not in response.json()


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
def test_status_accepts_json_form_and_multipart_bodies(
    client: httpx2.Client, encoding: str
) -> None:
    key = subscription_key(submitted(client, {"prompt": "a cup"}))

    if encoding == "json":
        response = client.post("status", json={"subscription_key": key})
    elif encoding == "form":
        response = client.post("status", data={"subscription_key": key})
    else:
        response = client.post("status", files={"subscription_key": (None, key)})

    assert response.status_code == 201
    assert len(response.json()["jobs"]) == 2


@pytest.mark.parametrize("encoding", ["json", "form", "multipart"])
def test_download_accepts_json_form_and_multipart_bodies(
    client: httpx2.Client, encoding: str
) -> None:
    task_uuid = str(submitted(client, {"prompt": "a cup"})["uuid"])

    if encoding == "json":
        response = client.post("download", json={"task_uuid": task_uuid})
    elif encoding == "form":
        response = client.post("download", data={"task_uuid": task_uuid})
    else:
        response = client.post("download", files={"task_uuid": (None, task_uuid)})

    assert response.status_code == 201
    assert isinstance(response.json()["list"], list)


def test_unknown_subscription_key_is_no_such_task_with_http_201(client: httpx2.Client) -> None:
    response = client.post("status", json={"subscription_key": "not-a-key"})

    assert response.status_code == 201
    assert response.json()["error"] == "NO_SUCH_TASK"
    assert response.json()["message"]


def test_swapped_ids_give_no_such_task_on_both_endpoints(client: httpx2.Client) -> None:
    body = submitted(client, {"prompt": "a cup"})

    status = client.post("status", json={"subscription_key": body["uuid"]})
    download = client.post("download", json={"task_uuid": subscription_key(body)})

    assert status.json()["error"] == "NO_SUCH_TASK"
    assert download.json()["error"] == "NO_SUCH_TASK"


def test_missing_ids_are_invalid_requests(client: httpx2.Client) -> None:
    status = client.post("status", json={})
    download = client.post("download", data={})

    assert status.json()["error"] == "INVALID_REQUEST"
    assert download.json()["error"] == "INVALID_REQUEST"


def test_status_with_broken_json_is_a_400(client: httpx2.Client) -> None:
    response = client.post(
        "status", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "INVALID_REQUEST"


def test_check_balance_answers_a_number(client: httpx2.Client) -> None:
    response = client.get("check_balance")

    assert response.status_code == 200
    assert response.json() == {"balance": 1000}


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "rodin"), ("POST", "status"), ("POST", "download"), ("GET", "check_balance")],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", "Bearer", "Basic abc"])
def test_every_endpoint_answers_401_without_the_right_key(
    emulator: RunningEmulator, method: str, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = httpx2.request(method, f"{emulator.base_url}/{path}", headers=headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_with_no_configured_key_any_non_empty_bearer_token_is_accepted(
    start_emulator: StartEmulator,
) -> None:
    emulator = start_emulator(api_key=None)

    accepted = httpx2.get(
        f"{emulator.base_url}/check_balance", headers={"Authorization": "Bearer x"}
    )
    refused = httpx2.get(f"{emulator.base_url}/check_balance", headers={"Authorization": "Bearer"})

    assert accepted.status_code == 200
    assert refused.status_code == 401


def test_documented_success_error_mode_sends_null_and_ok(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    client = make_client(start_emulator(success_error="documented"))

    body = submitted_with_error_field(client)
    status = client.post("status", json={"subscription_key": subscription_key(body)}).json()
    download = client.post("download", json={"task_uuid": body["uuid"]}).json()

    assert body["error"] is None
    assert status["error"] == "OK"
    assert download["error"] == "OK"


def submitted_with_error_field(client: httpx2.Client) -> dict[str, object]:
    response = submit(client, {"prompt": "a cup"})
    assert response.status_code == 201
    return response.json()


def test_unknown_api_path_is_404(client: httpx2.Client) -> None:
    assert client.post("polygen").status_code == 404


@pytest.mark.anyio
async def test_a_client_that_leaves_while_its_body_is_read_gets_nothing_and_raises_nothing(
    sentinel_api_key: str,
) -> None:
    # Found by the soak: a server killed mid-request made the emulator log a traceback.
    app = create_app(EmulatorConfig(api_key=sentinel_api_key))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v2/status",
        "raw_path": b"/api/v2/status",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {sentinel_api_key}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 5),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)

    assert sent == []
