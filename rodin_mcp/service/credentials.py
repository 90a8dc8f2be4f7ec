"""From what a caller presents to the person they are: a bearer token's person.

A token the operator named (``RODIN_HTTP_TOKEN=alice:tokA``) is the person of that name, whatever
token they are given later. A bare token gets a stable anonymous person, named by a keyed digest of
the token (HMAC-SHA-256 with a random key the ledger makes once): the token itself is never
stored, and the digest cannot be checked against guessed tokens without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from rodin_mcp.people import Person

__all__ = ["ANONYMOUS_PREFIX", "DIGEST_KEY_NAME", "TokenPeople"]

DIGEST_KEY_NAME = "token-digest"
"""The ledger secret the digests are keyed with."""

ANONYMOUS_PREFIX = "anon:"


class TokenPeople:
    """The person of each bearer token, for one ledger's key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def person(self, token: str, name: str | None = None) -> Person:
        """The person ``token`` stands for: ``name``'s when the operator named it."""
        if name:
            return Person(key=f"token:{name}", name=name)
        digest = hmac.new(self._key, token.encode("utf-8"), hashlib.sha256).hexdigest()
        return Person(key=ANONYMOUS_PREFIX + digest[:32], name=f"anonymous-{digest[:8]}")
