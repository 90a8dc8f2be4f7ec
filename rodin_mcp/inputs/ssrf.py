"""The address policy of the SSRF guard: which IP addresses an image URL may lead to.

- private, loopback, link-local, ULA, CGNAT and reserved addresses are refused unless
  ``settings.allow_private_image_urls``;
- unspecified, multicast and cloud metadata addresses are refused always;
- IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are
  judged by the IPv4 address they carry as well as by their own range.

Pure: no resolution, no connection. :mod:`rodin_mcp.inputs.fetching` applies it to every address
a host resolves to, on every redirect hop.
"""

from __future__ import annotations

import ipaddress

__all__ = ["IPAddress", "address_refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
"""A resolved or literal IP address."""

# Always refused, even with allow_private_image_urls: instance metadata services hand out cloud
# credentials (AWS/GCP/Azure/OCI/DigitalOcean 169.254.169.254, AWS ECS, Azure wire server,
# Alibaba), so no image URL has a reason to reach them.
_CLOUD_METADATA: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "168.63.129.16",
        "100.100.100.200",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)
_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why an image URL may not be fetched from ``address``, or None if it may.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are
    judged by the IPv4 address they carry as well as by their own range.

    Args:
        address: A resolved or literal IP address.
        allow_private: Whether private, loopback, link-local and reserved ranges are allowed.
            Unspecified, multicast and cloud metadata addresses are refused either way.

    Returns:
        A short description such as ``"a loopback address"``, or None when allowed.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            address = ipaddress.IPv6Address(int(address))
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            refusal = address_refusal(embedded, allow_private=allow_private)
            if refusal is not None or address.ipv4_mapped is not None:
                return refusal
            if any(address in net for net in _NAT64_PREFIXES):
                return None
    if address in _CLOUD_METADATA:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if allow_private:
        return None
    return _private_refusal(address)


def _private_refusal(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_private:
        return "a private-network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NAT64_PREFIXES):
        return low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return low32
    return None
