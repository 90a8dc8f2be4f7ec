"""Fetching an image from an ``http(s)`` URL behind the SSRF guard.

- only ``http`` and ``https``; no user name or password in the URL;
- the host is resolved here and **every** address is checked
  (:func:`~rodin_mcp.inputs.ssrf.address_refusal`), then the connection goes to a checked address,
  with the ``Host`` header and TLS SNI set to the name, so a second DNS answer cannot swap in
  another address between the check and the connection;
- redirects are followed here, at most :data:`MAX_REDIRECTS`, each hop checked the same way;
- no cookies, credentials or client default headers are sent: requests are built here, not by the
  client, and sent with ``auth=None``;
- the body is capped at ``settings.max_image_bytes`` while it streams, and the whole fetch
  (resolution, redirects, body) at ``settings.image_fetch_timeout`` seconds.

When an ``http`` client is passed in, it should be one dedicated to image fetching: this module
never adds its headers, cookies or auth, but the client's cookie jar still stores what image
servers set.
"""

from __future__ import annotations

import ipaddress
import socket

import anyio
import httpx2

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.inputs.size_limit import too_large_message
from rodin_mcp.inputs.ssrf import IPAddress, address_refusal
from rodin_mcp.settings import Settings

__all__ = ["MAX_REDIRECTS", "fetch_image_url"]

MAX_REDIRECTS = 5
"""Redirect hops followed when fetching an image URL."""


async def fetch_image_url(url: str, settings: Settings, http: httpx2.AsyncClient | None) -> bytes:
    """The body of ``url``, fetched with ``http`` or, when None, a client made for the call."""
    safe = safe_reference(url)
    try:
        with anyio.fail_after(settings.image_fetch_timeout):
            if http is not None:
                return await _follow_redirects(url, safe, settings, http)
            async with _new_client(settings) as client:
                return await _follow_redirects(url, safe, settings, client)
    except TimeoutError:
        raise ImageInputError(
            f"Fetching {safe} took longer than {settings.image_fetch_timeout:g} s "
            "(RODIN_IMAGE_FETCH_TIMEOUT). Try again later, or save the image on this computer "
            "and pass its path.",
            reference=safe,
        ) from None


def _new_client(settings: Settings) -> httpx2.AsyncClient:
    # trust_env=False: no proxy variables, no .netrc credentials.
    return httpx2.AsyncClient(
        trust_env=False,
        follow_redirects=False,
        timeout=httpx2.Timeout(settings.image_fetch_timeout),
    )


async def _follow_redirects(
    url: str, safe: str, settings: Settings, client: httpx2.AsyncClient
) -> bytes:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = _parse_fetch_url(current, safe)
        addresses = await _checked_addresses(target, safe, settings)
        response = await _send_pinned(client, target, addresses, safe)
        try:
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                current = _redirect_target(target, location, safe)
                continue
            if response.status_code != 200:
                raise ImageInputError(
                    f"{safe} answered HTTP {response.status_code}; no image was fetched. "
                    "Check the URL, or save the image and pass its path.",
                    reference=safe,
                )
            return await _read_body_capped(response, safe, settings)
        finally:
            await response.aclose()
    raise ImageInputError(
        f"{safe} redirected more than {MAX_REDIRECTS} times. Pass the final image URL.",
        reference=safe,
    )


def _redirect_target(target: httpx2.URL, location: str, safe: str) -> str:
    try:
        return str(target.join(location))
    except httpx2.InvalidURL:
        raise ImageInputError(
            f"{safe} redirected to an invalid URL. Pass the final image URL.", reference=safe
        ) from None


def _parse_fetch_url(text: str, safe: str) -> httpx2.URL:
    try:
        url = httpx2.URL(text)
    except httpx2.InvalidURL:
        raise ImageInputError(f"{safe} is not a valid URL.", reference=safe) from None
    if url.scheme not in ("http", "https"):
        raise ImageInputError(
            f"{safe} led to a '{url.scheme}:' URL; only http and https URLs are fetched.",
            reference=safe,
        )
    if url.userinfo:
        raise ImageInputError(
            "Image URLs with a user name or password are not accepted. "
            "Pass a public URL, or save the image and pass its path.",
            reference=safe,
        )
    if not url.host:
        raise ImageInputError(f"{safe} has no host name.", reference=safe)
    return url


async def _checked_addresses(target: httpx2.URL, safe: str, settings: Settings) -> list[str]:
    """Resolve the host of ``target`` and check every address; return them in resolver order."""
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = await _resolve(target.raw_host.decode("ascii"), port, safe)
    for address in addresses:
        refusal = address_refusal(address, allow_private=settings.allow_private_image_urls)
        if refusal is None:
            continue
        hint = (
            " (RODIN_ALLOW_PRIVATE_IMAGE_URLS=true allows private-network URLs)"
            if address_refusal(address, allow_private=True) is None
            else ""
        )
        raise ImageInputError(
            f"{safe} leads to {address}, {refusal}; this server does not fetch images from "
            f"such addresses{hint}. Pass a public image URL, or save the image and pass its path.",
            reference=safe,
        )
    return [str(address) for address in addresses]


async def _resolve(host: str, port: int, safe: str) -> list[IPAddress]:
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ImageInputError(
            f"The host of {safe} could not be found. Check the URL.", reference=safe
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ImageInputError(f"The host of {safe} has no address.", reference=safe)
    return addresses


async def _send_pinned(
    client: httpx2.AsyncClient, target: httpx2.URL, addresses: list[str], safe: str
) -> httpx2.Response:
    """Send a GET for ``target`` to the first checked address that accepts a connection."""
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Accept": "image/png, image/jpeg, image/webp;q=0.9, */*;q=0.1",
        "Accept-Encoding": "identity",
        "User-Agent": "rodin-mcp",
    }
    extensions: dict[str, object] = {}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.raw_host.decode("ascii")
    for address in addresses:
        request = httpx2.Request(
            "GET", target.copy_with(host=address), headers=headers, extensions=extensions
        )
        try:
            return await client.send(request, stream=True, auth=None, follow_redirects=False)
        except httpx2.ConnectError:
            continue
        except httpx2.TimeoutException:
            raise TimeoutError from None
        except httpx2.HTTPError as exc:
            raise ImageInputError(
                f"Fetching {safe} failed: {type(exc).__name__}. Check the URL, or save the image "
                "and pass its path.",
                reference=safe,
            ) from None
    raise ImageInputError(
        f"Could not connect to the host of {safe}. Check the URL, or save the image and pass its "
        "path.",
        reference=safe,
    )


async def _read_body_capped(response: httpx2.Response, safe: str, settings: Settings) -> bytes:
    limit = settings.max_image_bytes
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ImageInputError(too_large_message(safe, settings), reference=safe)
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise ImageInputError(too_large_message(safe, settings), reference=safe)
    except httpx2.TimeoutException:
        raise TimeoutError from None
    except httpx2.HTTPError as exc:
        raise ImageInputError(
            f"The download of {safe} broke off ({type(exc).__name__}). Try again.",
            reference=safe,
        ) from None
    return bytes(body)
