"""Deterministic synthetic bytes of any size, produced chunk by chunk (for download benchmarks).

The content at every offset is fixed, so a client can verify what it received, and no more than one
chunk is ever held in memory, so a 1 GiB asset costs a 1 GiB stream and not 1 GiB of RAM.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

__all__ = ["SYNTHETIC_CHUNK", "SYNTHETIC_NAME", "synthetic_chunks"]

SYNTHETIC_NAME = "synthetic.bin"
SYNTHETIC_CHUNK = 64 * 1024
_BLOCK = b"".join(
    hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(SYNTHETIC_CHUNK // 32)
)


def synthetic_chunks(size: int, chunk_size: int = SYNTHETIC_CHUNK) -> Iterator[bytes]:
    """Yield ``size`` bytes in chunks of at most ``chunk_size``.

    Chunk ``i`` of 64 KiB is a pseudo-random 64 KiB block rotated by ``i``, so the stream does not
    repeat with a short period and a reordered or duplicated chunk changes the digest.
    """
    if chunk_size < 1 or chunk_size > SYNTHETIC_CHUNK:
        raise ValueError(f"chunk_size must be between 1 and {SYNTHETIC_CHUNK}")
    offset = 0
    while offset < size:
        block_index, start = divmod(offset, SYNTHETIC_CHUNK)
        rotation = (block_index * 7919) % SYNTHETIC_CHUNK
        block = _BLOCK[rotation:] + _BLOCK[:rotation]
        end = min(SYNTHETIC_CHUNK, start + chunk_size, start + size - offset)
        yield block[start:end]
        offset += end - start
