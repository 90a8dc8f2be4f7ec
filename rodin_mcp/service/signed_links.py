"""This server's signed links: what a link names and until when, signed so nobody can alter it.

A link (an upload's, a download's) carries its fields and its expiry in the clear and an
HMAC-SHA-256 of them under a random key the ledger makes once (``Ledger.secret``), so every
process on the data folder signs and checks alike and no credential travels in the link. A link
is checked for its signature first, then for its time: an altered expiry is "invalid", never
"expired". Each field is written with its length, so no two lists of fields sign alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum

__all__ = ["SIGNING_KEY_NAME", "LinkCheck", "LinkSigner"]

SIGNING_KEY_NAME = "link-signing"
"""The ledger secret links are signed with."""


class LinkCheck(StrEnum):
    """What checking a link found."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


class LinkSigner:
    """Signs and checks links with one key, fetched from ``key_source`` on first use."""

    def __init__(
        self, key_source: Callable[[], Awaitable[bytes]], clock: Callable[[], float] = time.time
    ) -> None:
        self._key_source = key_source
        self._key: bytes | None = None
        self._clock = clock

    def now(self) -> float:
        """The time on the clock links are checked by."""
        return self._clock()

    async def sign(self, purpose: str, fields: Sequence[str], expires: int) -> str:
        """The signature (URL-safe base64) of ``purpose`` and ``fields`` until ``expires``."""
        if self._key is None:
            self._key = await self._key_source()
        message = "".join(f"{len(part)}:{part}" for part in (purpose, *fields, str(expires)))
        digest = hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    async def check(
        self, purpose: str, fields: Sequence[str], expires: int, signature: str
    ) -> LinkCheck:
        """Whether ``signature`` signs these fields until ``expires``, and that moment is ahead."""
        expected = await self.sign(purpose, fields, expires)
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
            return LinkCheck.INVALID
        return LinkCheck.VALID if self._clock() < expires else LinkCheck.EXPIRED
