"""The request fingerprint names "the same request" for the dedupe rules."""

from __future__ import annotations

from rodin_mcp.ledger import request_fingerprint


def test_request_fingerprints_ignore_key_order_and_omitted_options() -> None:
    base = request_fingerprint({"tier": "Gen-2", "seed": 1, "prompt": "chair"}, ["a", "b"])
    assert base == request_fingerprint(
        {"prompt": "chair", "seed": 1, "tier": "Gen-2", "addons": None}, ["a", "b"]
    )
    assert base != request_fingerprint({"tier": "Gen-2", "seed": 2, "prompt": "chair"}, ["a", "b"])
    assert base != request_fingerprint({"tier": "Gen-2", "seed": 1, "prompt": "chair"}, ["b", "a"])
    assert base != request_fingerprint({"tier": "Gen-2", "seed": 1, "prompt": "chair"}, ["a"])
    assert len(base) == 64
    assert int(base, 16) >= 0
