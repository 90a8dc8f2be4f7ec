"""A scripted HTTP server on loopback for the URL tests, and a transport that records requests."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2


@dataclass
class SeenRequest:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]


@dataclass
class ImageServer:
    """A threaded HTTP/1.0 server on 127.0.0.1 with routes that misbehave on purpose.

    Routes:
        /image.png            a PNG, labelled text/plain (the bytes decide, not the label)
        /redirect/N           302 to /redirect/N-1 (relative); /redirect/0 goes to /image.png
        /to?url=U             302 to U
        /big?n=N              a PNG header then N more bytes, with no Content-Length
        /endless              a PNG header then zeros until the client leaves (256 MiB at most),
                              then silence until the server stops
        /declared-big         Content-Length of a gigabyte, then a few bytes
        /stall                headers and 10 bytes of 1000, then silence until the server stops
        /page                 an HTML page
        /missing              404
    """

    png: bytes
    port: int = 0
    seen: list[SeenRequest] = field(default_factory=list[SeenRequest])
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """An absolute URL of ``path`` on this server."""
        return f"http://{host}:{self.port}{path}"


def _handler_for(server: ImageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            server.seen.append(
                SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
            )
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            path = parts.path
            if path == "/image.png":
                self._send(200, server.png, "text/plain")
            elif path.startswith("/redirect/"):
                remaining = int(path.rsplit("/", 1)[1])
                target = "/image.png" if remaining == 0 else f"/redirect/{remaining - 1}"
                self._redirect(target)
            elif path == "/to":
                self._redirect(query["url"][0])
            elif path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(server.png[:16] + b"\0" * int(query["n"][0]))
            elif path == "/endless":
                self._endless()
            elif path == "/declared-big":
                self.send_response(200)
                self.send_header("Content-Length", str(1024**3))
                self.end_headers()
                self.wfile.write(server.png[:16])
            elif path == "/stall":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(server.png[:10])
                self.wfile.flush()
                server.stop.wait(10)
            elif path == "/page":
                self._send(
                    200, b"<!doctype html><html><body>not an image</body></html>", "text/html"
                )
            else:
                self._send(404, b"not found", "text/plain")

        def _endless(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(server.png[:16])
            chunk = b"\0" * 65536
            for _ in range(4096):
                if server.stop.is_set():
                    return
                self.wfile.write(chunk)
            server.stop.wait(10)

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up mid-response (the timeout and size-cap tests) break the pipe.
        return


@contextmanager
def running_image_server(png: bytes) -> Generator[ImageServer]:
    """Run an :class:`ImageServer` on an ephemeral port of 127.0.0.1 for the ``with`` block."""
    state = ImageServer(png=png)
    httpd = _QuietServer(("127.0.0.1", 0), _handler_for(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


class RecordingTransport(httpx2.AsyncBaseTransport):
    """A real HTTP transport that notes the URL and Host header of every request it is given."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.urls: list[httpx2.URL] = []
        self.hosts: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(request.url)
        self.hosts.append(request.headers.get("host", ""))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
