"""The task download: verified atomic files, refreshed links, retries, no leaks of the key."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from rodin_mcp.api import DownloadItem, GenerationRequest, SubmitResult
from rodin_mcp.api.client import RodinClient
from rodin_mcp.api.retry import RetryPolicy
from rodin_mcp.downloads import download_task
from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator, synthetic_chunks
from rodin_mcp.errors import (
    DeadlineExceededError,
    DownloadError,
    DownloadTooLargeError,
    IncompleteDownloadError,
    LinkExpiredError,
    OutputFolderError,
)
from rodin_mcp.settings import Settings
from tests.api.fixtures import RecordingSleep
from tests.file_rules import rename_over_folder_error

# Downloads against the emulator over loopback HTTP.

CHAIR = GenerationRequest(prompt="a red chair", tier="Sketch")


@pytest.fixture
def emulator_config(sentinel_api_key: str, manual_clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(api_key=sentinel_api_key, clock=manual_clock)


@pytest.fixture
async def task(rodin: RodinClient, manual_clock: ManualClock) -> SubmitResult:
    """A submitted Sketch task whose jobs are all done."""
    submitted = await rodin.submit(CHAIR)
    manual_clock.advance(10_000)
    assert (await rodin.status(submitted.subscription_key)).state == "done"
    return submitted


async def served_digests(emulator: RunningEmulator, task: SubmitResult) -> dict[str, str]:
    """SHA-256 of each file as the emulator serves it, fetched independently of the downloader."""
    digests: dict[str, str] = {}
    async with httpx2.AsyncClient() as plain:
        listed = await plain.post(
            f"{emulator.base_url}/download",
            json={"task_uuid": task.task_uuid},
            headers={"Authorization": f"Bearer {emulator_key(emulator)}"},
        )
        for item in listed.json()["list"]:
            body = await plain.get(emulator.signed_url(f"{task.task_uuid}/{item['name']}"))
            digests[item["name"]] = hashlib.sha256(body.content).hexdigest()
    return digests


def emulator_key(emulator: RunningEmulator) -> str:
    key = emulator.state.config.api_key
    assert key is not None
    return key


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")]


def asset_gets(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "asset")


pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("file_rules")]


async def test_a_task_downloads_into_a_readable_folder_with_verified_files(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
) -> None:
    result = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, prompt=CHAIR.prompt
    )

    expected = await served_digests(emulator, task)
    assert {f.name: f.sha256 for f in result.files} == expected
    assert result.folder.parent == rodin_settings.output_dir
    assert result.folder.name.endswith(f"_a-red-chair_{task.task_uuid.replace('-', '')[:8]}")
    for f in result.files:
        assert f.path.parent == result.folder
        assert hashlib.sha256(f.path.read_bytes()).hexdigest() == f.sha256
        assert f.path.stat().st_size == f.size
    assert any(f.mime_type == "model/gltf-binary" for f in result.files)
    assert leftovers(rodin_settings.output_dir) == []


async def test_a_file_that_cannot_be_renamed_into_place_fails_with_the_real_reason(
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
    tmp_path: Path,
) -> None:
    first = await download_task(rodin, http, task.task_uuid, settings=rodin_settings)
    victim = first.files[0].path
    victim.unlink()
    (victim / "inside").mkdir(parents=True)  # a folder where the file is to go
    independently = rename_over_folder_error(tmp_path / "scratch")

    with pytest.raises(DownloadError) as caught:
        await download_task(rodin, http, task.task_uuid, settings=rodin_settings)

    assert f"Could not save {victim.name}: {independently.strerror}." in str(caught.value)
    assert leftovers(rodin_settings.output_dir) == []


async def test_files_already_present_and_intact_are_not_fetched_again(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
) -> None:
    first = await download_task(rodin, http, task.task_uuid, settings=rodin_settings)
    gets = asset_gets(emulator)
    damaged = first.files[0]
    damaged.path.write_bytes(b"not the model")

    second = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, known=first.files
    )

    assert second.folder == first.folder
    assert asset_gets(emulator) == gets + 1
    assert [f.name in second.fetched for f in second.files] == [True] + [False] * (
        len(first.files) - 1
    )
    assert [f.sha256 for f in second.files] == [f.sha256 for f in first.files]


@pytest.mark.parametrize("fault", ["asset=truncate", "asset=drop:bytes=10", "asset=503"])
async def test_a_cut_or_failed_transfer_is_fetched_again_and_ends_intact(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    sleeper: RecordingSleep,
    task: SubmitResult,
    fault: str,
) -> None:
    emulator.faults.add(fault)

    result = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, policy=rodin.policy
    )

    assert asset_gets(emulator) == len(result.files) + 1
    assert {f.name: f.sha256 for f in result.files} == await served_digests(emulator, task)
    assert len(sleeper.waits) == 1
    assert leftovers(rodin_settings.output_dir) == []


async def test_an_expired_link_is_replaced_by_a_freshly_listed_one(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    manual_clock: ManualClock,
    task: SubmitResult,
) -> None:
    stale = await rodin.download_list(task.task_uuid)
    manual_clock.advance(601)  # signed URLs live 10 minutes

    result = await download_task(rodin, http, task.task_uuid, settings=rodin_settings, items=stale)

    assert {f.name: f.sha256 for f in result.files} == await served_digests(emulator, task)
    refused = [r for r in emulator.requests if r.endpoint == "asset" and r.status == 403]
    assert len(refused) >= 1
    assert leftovers(rodin_settings.output_dir) == []


async def test_links_refused_even_when_fresh_end_in_link_expired_without_partial_files(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
) -> None:
    emulator.faults.add("asset=expired:times=*")

    with pytest.raises(LinkExpiredError) as caught:
        await download_task(rodin, http, task.task_uuid, settings=rodin_settings)

    lists = sum(1 for r in emulator.requests if r.endpoint == "download")
    assert lists == 1 + rodin_settings.download_refresh_attempts
    assert "sig=" not in str(caught.value)
    assert [p for p in rodin_settings.output_dir.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("settings_overrides", [{"max_download_bytes": 100}])
async def test_a_file_over_the_size_cap_is_refused_before_anything_is_written(
    rodin: RodinClient, http: httpx2.AsyncClient, rodin_settings: Settings, task: SubmitResult
) -> None:
    with pytest.raises(DownloadTooLargeError):
        await download_task(rodin, http, task.task_uuid, settings=rodin_settings)

    assert [p for p in rodin_settings.output_dir.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("settings_overrides", [{"download_deadline": 0.5}])
async def test_a_stalled_file_ends_at_the_download_deadline_without_partial_files(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
) -> None:
    emulator.faults.add("asset=stall:seconds=30")

    with pytest.raises(DeadlineExceededError):
        await download_task(rodin, http, task.task_uuid, settings=rodin_settings)

    assert leftovers(rodin_settings.output_dir) == []


HOSTILE_NAMES = [
    "../../x.glb",
    "a/../../b",
    "/etc/passwd",
    "C:\\x\\y.glb",
    "\\\\server\\share\\z.glb",
    "..",
    "",
    "x.glb",
    "X.GLB",
]


async def test_hostile_names_never_leave_the_task_folder_and_duplicates_get_a_suffix(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    tmp_path: Path,
    task: SubmitResult,
) -> None:
    (real,) = [i for i in await rodin.download_list(task.task_uuid) if i.name.endswith(".glb")]
    items = [DownloadItem(url=real.url, name=name) for name in HOSTILE_NAMES]
    folder = tmp_path / "out" / "task"

    result = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, items=items, folder=folder
    )

    names = [f.name for f in result.files]
    assert names == [
        "x.glb", "b", "passwd", "y.glb", "z.glb", "file-6", "file-7", "x-2.glb", "X-3.GLB"
    ]  # fmt: skip
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents]
    assert outside == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


async def test_file_requests_carry_no_key_and_ask_for_uncompressed_bytes(
    emulator: RunningEmulator,
    rodin_settings: Settings,
    sentinel_api_key: str,
    task: SubmitResult,
) -> None:
    seen: list[tuple[str, str | None, str | None]] = []

    async def note(request: httpx2.Request) -> None:
        headers = request.headers
        seen.append(
            (request.url.path, headers.get("authorization"), headers.get("accept-encoding"))
        )

    async with httpx2.AsyncClient(event_hooks={"request": [note]}) as http:
        rodin = RodinClient(http, settings=rodin_settings)
        await download_task(rodin, http, task.task_uuid, settings=rodin_settings)

    api = [auth for path, auth, _ in seen if path.startswith("/api/v2/")]
    files = [(auth, encoding) for path, auth, encoding in seen if path.startswith("/_files/")]
    assert api == [f"Bearer {sentinel_api_key}"]
    assert files
    assert all(auth is None and encoding == "identity" for auth, encoding in files)


async def test_progress_is_reported_per_file_up_to_its_size(
    rodin: RodinClient, http: httpx2.AsyncClient, rodin_settings: Settings, task: SubmitResult
) -> None:
    reports: dict[str, list[tuple[int, int | None]]] = {}

    def progress(name: str, done: int, total: int | None) -> None:
        reports.setdefault(name, []).append((done, total))

    result = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, progress=progress
    )

    for f in result.files:
        done = [d for d, _ in reports[f.name]]
        assert done == sorted(done)
        assert reports[f.name][-1] == (f.size, f.size)


async def test_a_link_that_is_not_https_is_refused_without_a_request(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
) -> None:
    items = [DownloadItem(url="http://files.example.com/a.glb?sig=abc", name="a.glb")]

    with pytest.raises(DownloadError) as caught:
        await download_task(rodin, http, "task-1", settings=rodin_settings, items=items)

    assert "https" in str(caught.value)
    assert "sig=" not in str(caught.value)


# Answers the emulator does not give (redirects, compression, a short body without a transport
# error), through httpx2's MockTransport as the file host.

BODY = b"glTF" + bytes(range(256)) * 64


def file_host(answer: dict[str, Callable[[], httpx2.Response]]) -> httpx2.AsyncClient:
    """An HTTP client whose 'network' answers each URL path with a fresh response."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        return answer[request.url.path]()

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def offline_settings(tmp_path: Path) -> Settings:
    return Settings(api_key=SecretStr("k"), output_dir=tmp_path / "out", download_attempts=2)


class ShortStream(httpx2.AsyncByteStream):
    """A body that ends early without any transport error."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield BODY[:100]


async def test_checked_redirects_are_followed_to_an_intact_file(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    host = file_host(
        {
            "/a.glb": lambda: httpx2.Response(302, headers={"Location": "/b.glb?sig=2"}),
            "/b.glb": lambda: httpx2.Response(
                307, headers={"Location": "https://cdn.example/c.glb"}
            ),
            "/c.glb": lambda: httpx2.Response(200, stream=httpx2.ByteStream(BODY)),
        }
    )
    items = [DownloadItem(url="https://files.example/a.glb?sig=1", name="a.glb")]
    async with host:
        rodin = RodinClient(host, settings=settings)
        result = await download_task(rodin, host, "t", settings=settings, items=items)

    (only,) = result.files
    assert only.sha256 == hashlib.sha256(BODY).hexdigest()


async def test_a_redirect_to_plain_http_elsewhere_is_refused(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    host = file_host(
        {"/a.glb": lambda: httpx2.Response(302, headers={"Location": "http://evil.example/"})}
    )
    items = [DownloadItem(url="https://files.example/a.glb", name="a.glb")]
    async with host:
        rodin = RodinClient(host, settings=settings)
        with pytest.raises(DownloadError, match="not https"):
            await download_task(rodin, host, "t", settings=settings, items=items)


async def test_a_compressed_body_is_refused(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    host = file_host(
        {"/a.glb": lambda: httpx2.Response(200, headers={"Content-Encoding": "gzip"}, content=b"x")}
    )
    items = [DownloadItem(url="https://files.example/a.glb", name="a.glb")]
    async with host:
        rodin = RodinClient(host, settings=settings)
        with pytest.raises(DownloadError, match="compressed"):
            await download_task(rodin, host, "t", settings=settings, items=items)
    assert [p for p in settings.output_dir.rglob("*") if p.is_file()] == []


async def test_a_body_shorter_than_its_content_length_is_discarded(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    length = {"Content-Length": str(len(BODY))}
    host = file_host({"/a.glb": lambda: httpx2.Response(200, headers=length, stream=ShortStream())})
    items = [DownloadItem(url="https://files.example/a.glb", name="a.glb")]
    async with host:
        rodin = RodinClient(host, settings=settings)
        policy = RetryPolicy.from_settings(settings, sleep=RecordingSleep())
        with pytest.raises(IncompleteDownloadError, match=f"100 of {len(BODY):,} bytes"):
            await download_task(rodin, host, "t", settings=settings, items=items, policy=policy)
    assert [p for p in settings.output_dir.rglob("*") if p.is_file()] == []


async def test_a_folder_that_cannot_be_created_is_an_output_folder_error(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    blocker = tmp_path / "taken"
    blocker.write_bytes(b"a file where the folder should go")
    host = file_host({"/a.glb": lambda: httpx2.Response(200, stream=httpx2.ByteStream(BODY))})
    items = [DownloadItem(url="https://files.example/a.glb", name="a.glb")]
    async with host:
        rodin = RodinClient(host, settings=settings)
        with pytest.raises(OutputFolderError, match=r"a file \(not a folder\) is in") as raised:
            await download_task(rodin, host, "t", settings=settings, items=items, folder=blocker)
    assert raised.value.folder == str(blocker)


async def test_the_files_of_a_task_stream_at_the_same_time(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    task: SubmitResult,
) -> None:
    listed = await rodin.download_list(task.task_uuid)
    assert len(listed) >= 2
    emulator.faults.add("asset=stall:bytes=64:times=2")  # each holds its file for an hour
    async with anyio.create_task_group() as group:
        group.start_soon(
            functools.partial(download_task, rodin, http, task.task_uuid, settings=rodin_settings)
        )
        # Fetched one after another, the second file would not start while the first is held.
        assert await anyio.to_thread.run_sync(emulator.wait_for_stalls, 2, 20.0)
        group.cancel_scope.cancel()
    assert leftovers(rodin_settings.output_dir) == []


async def test_files_over_several_write_back_windows_land_whole_also_one_at_a_time(
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
) -> None:
    sizes = [20 * 1024 * 1024 + 3, 8 * 1024 * 1024, 1]
    items = [
        DownloadItem(url=emulator.signed_url(size), name=f"part-{index}.bin")
        for index, size in enumerate(sizes)
    ]
    settings = rodin_settings.model_copy(update={"download_parallel_files": 1})

    result = await download_task(
        rodin, http, "big", settings=settings, items=items, folder=settings.output_dir / "big"
    )

    expected = [hashlib.sha256(b"".join(synthetic_chunks(size))).hexdigest() for size in sizes]
    assert [f.sha256 for f in result.files] == expected
    assert [hashlib.sha256(f.path.read_bytes()).hexdigest() for f in result.files] == expected
    assert leftovers(settings.output_dir) == []
