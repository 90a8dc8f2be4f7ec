"""Tests of the address policy: every non-public range, with and without private URLs."""

from __future__ import annotations

import ipaddress

import pytest

from rodin_mcp.inputs import address_refusal

ADDRESS_TABLE: list[tuple[str, str | None, str | None]] = [
    # address, refusal when private is not allowed, refusal when it is
    ("93.184.215.14", None, None),
    ("8.8.8.8", None, None),
    ("2606:4700:4700::1111", None, None),
    ("127.0.0.1", "loopback", None),
    ("127.45.6.7", "loopback", None),
    ("10.0.0.1", "private", None),
    ("172.16.5.4", "private", None),
    ("192.168.1.1", "private", None),
    ("100.64.0.1", "reserved", None),
    ("169.254.1.1", "link-local", None),
    ("192.0.2.1", "private", None),
    ("240.0.0.1", "private", None),
    ("255.255.255.255", "private", None),
    ("169.254.169.254", "cloud metadata", "cloud metadata"),
    ("168.63.129.16", "cloud metadata", "cloud metadata"),
    ("100.100.100.200", "cloud metadata", "cloud metadata"),
    ("0.0.0.0", "unspecified", "unspecified"),
    ("224.0.0.1", "multicast", "multicast"),
    ("::1", "loopback", None),
    ("::", "unspecified", "unspecified"),
    ("fe80::1", "link-local", None),
    ("fc00::1", "private", None),
    ("fd12:3456::1", "private", None),
    ("fec0::1", "site-local", None),
    ("2001:db8::1", "private", None),
    ("ff02::1", "multicast", "multicast"),
    ("fd00:ec2::254", "cloud metadata", "cloud metadata"),
    ("::ffff:127.0.0.1", "loopback", None),
    ("::ffff:10.1.2.3", "private", None),
    ("::ffff:169.254.169.254", "cloud metadata", "cloud metadata"),
    ("::ffff:8.8.8.8", None, None),
    ("::127.0.0.1", "loopback", None),
    ("64:ff9b::7f00:1", "loopback", None),
    ("64:ff9b::a9fe:a9fe", "cloud metadata", "cloud metadata"),
    ("64:ff9b::808:808", None, None),
    ("2002:7f00:1::", "loopback", None),
    ("2002:a9fe:a9fe::", "cloud metadata", "cloud metadata"),
    ("2002:808:808::", None, None),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private", None),  # Teredo
]


@pytest.mark.parametrize(("address", "closed", "opened"), ADDRESS_TABLE)
def test_the_address_classifier_refuses_every_non_public_range(
    address: str, closed: str | None, opened: str | None
) -> None:
    ip = ipaddress.ip_address(address)
    refused = address_refusal(ip, allow_private=False)
    refused_when_allowed = address_refusal(ip, allow_private=True)
    assert (refused is None) == (closed is None)
    assert closed is None or (refused is not None and closed in refused)
    assert (refused_when_allowed is None) == (opened is None)
    assert opened is None or (refused_when_allowed is not None and opened in refused_when_allowed)
