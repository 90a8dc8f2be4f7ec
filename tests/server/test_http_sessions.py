"""An MCP session over HTTP is usable only by the person who opened it.

A real `rodin-mcp serve --http` with Alice's two tokens (her old and her new one: one person)
and Bob's. Bob is given Alice's session id (`mcp-session-id`) and gets exactly the answer a
session id nobody opened gets, whatever he does with it; Alice carries on with either token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.server.http_server import INITIALIZE, MCP_HEADERS, running_server, url_of

ALICE = "alice-token-0123456789abcdef"
ALICE_NEW = "alice-new-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef"
VERSION = {"MCP-Protocol-Version": "2025-11-25"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    env = {"RODIN_HTTP_TOKEN": f"alice:{ALICE},bob:{BOB},alice:{ALICE_NEW}"}
    with running_server(tmp_path, "--sandbox", env=env) as port:
        yield url_of("127.0.0.1", port)


def _headers(token: str, session: str) -> dict[str, str]:
    return {
        **MCP_HEADERS,
        **VERSION,
        "Authorization": f"Bearer {token}",
        "mcp-session-id": session,
    }


def _open_session(url: str, token: str) -> str:
    opened = httpx2.post(
        url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"}
    )
    assert opened.status_code == 200
    session = opened.headers["mcp-session-id"]
    done = httpx2.post(url, json=INITIALIZED, headers=_headers(token, session))
    assert done.status_code == 202
    return session


def _answer(response: httpx2.Response) -> tuple[int, str]:
    return response.status_code, response.text


def _lists_tools(url: str, token: str, session: str) -> bool:
    listed = httpx2.post(url, json=LIST_TOOLS, headers=_headers(token, session))
    return listed.status_code == 200 and '"generate_3d"' in listed.text


def test_another_person_using_a_session_id_gets_the_answer_for_an_unknown_session(
    url: str,
) -> None:
    session = _open_session(url, ALICE)
    nobodys = uuid.uuid4().hex

    for method, body in (("POST", LIST_TOOLS), ("GET", None), ("DELETE", None)):
        theirs = httpx2.request(method, url, json=body, headers=_headers(BOB, session))
        unknown = httpx2.request(method, url, json=body, headers=_headers(BOB, nobodys))
        assert theirs.status_code == 404, method
        assert _answer(theirs) == _answer(unknown), method
        assert session not in theirs.text

    assert _lists_tools(url, ALICE, session)  # Bob's DELETE did not end it
    assert _lists_tools(url, BOB, _open_session(url, BOB))
    assert not _lists_tools(url, ALICE, _open_session(url, BOB))


def test_a_person_may_use_their_session_with_each_of_their_tokens(url: str) -> None:
    session = _open_session(url, ALICE)
    assert _lists_tools(url, ALICE_NEW, session)
    assert _lists_tools(url, ALICE, session)
