"""Fixtures of the image-input tests.

* ``loopback_only_network`` (autouse): fails any test whose code tries to connect beyond loopback.
* ``server``: a scripted :class:`~tests.inputs.image_server.ImageServer` on 127.0.0.1.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any, cast

import pytest

from tests.inputs.helpers import PNG
from tests.inputs.image_server import ImageServer, running_image_server


@pytest.fixture(autouse=True)
def loopback_only_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test whose code tries to open a connection beyond loopback; never connect."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        host = _ip_host_of(address)
        if host is not None and not ipaddress.ip_address(host).is_loopback:
            attempts.append(host)
            raise OSError(errno.ENETUNREACH, "blocked by the test's loopback-only guard")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield
    assert attempts == [], f"the code under test tried to connect to {attempts}"


def _ip_host_of(address: object) -> str | None:
    if not isinstance(address, tuple):
        return None  # a Unix socket path
    return str(cast(tuple[object, ...], address)[0]).split("%", 1)[0]


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with running_image_server(PNG) as running:
        yield running
