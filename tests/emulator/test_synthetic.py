"""Synthetic benchmark bytes: exact size, fixed content, no short repetition."""

from __future__ import annotations

import hashlib

import pytest

from rodin_mcp.emulator import synthetic_chunks


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300_001])
def test_synthetic_bytes_have_exactly_the_asked_size(size: int) -> None:
    assert sum(len(chunk) for chunk in synthetic_chunks(size)) == size


def test_synthetic_bytes_do_not_depend_on_the_chunk_size() -> None:
    whole = b"".join(synthetic_chunks(200_000))

    assert b"".join(synthetic_chunks(200_000, chunk_size=1000)) == whole
    assert b"".join(synthetic_chunks(200_000, chunk_size=7)) == whole


def test_synthetic_blocks_differ_from_one_another() -> None:
    blocks = list(synthetic_chunks(16 * 65536))

    assert len({hashlib.sha256(block).digest() for block in blocks}) == 16


def test_a_smaller_synthetic_file_is_a_prefix_of_a_larger_one() -> None:
    assert b"".join(synthetic_chunks(70_000)) == b"".join(synthetic_chunks(140_000))[:70_000]


def test_chunk_size_must_fit_one_block() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        list(synthetic_chunks(10, chunk_size=0))
