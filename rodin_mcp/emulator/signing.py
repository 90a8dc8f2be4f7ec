"""Signed, expiring asset URLs and the JWT subscription keys, both under one per-instance secret."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from typing import Literal
from urllib.parse import quote

import jwt

__all__ = ["FILES_PREFIX", "Signer", "UrlVerdict"]

FILES_PREFIX = "/_files"
UrlVerdict = Literal["valid", "expired", "bad_signature"]


class Signer:
    """Signs asset paths and subscription keys with a secret made fresh for each emulator."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float]) -> None:
        self._secret = secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._clock = clock

    def asset_url(self, origin: str, task_uuid: str, name: str) -> str:
        """A URL for one file that needs no Bearer token and expires after the TTL."""
        path = f"{FILES_PREFIX}/{quote(task_uuid, safe='')}/{quote(name, safe='')}"
        expires = math.ceil(self._clock() + self._ttl)
        return f"{origin}{path}?expires={expires}&sig={self._signature(task_uuid, name, expires)}"

    def check(self, task_uuid: str, name: str, expires: str | None, sig: str | None) -> UrlVerdict:
        """Whether a presented URL is intact and still within its lifetime."""
        if expires is None or sig is None or not expires.isdigit():
            return "bad_signature"
        expected = self._signature(task_uuid, name, int(expires))
        if not hmac.compare_digest(expected, sig):
            return "bad_signature"
        return "valid" if self._clock() < int(expires) else "expired"

    def subscription_key(self, job_ids: list[str]) -> str:
        """The JWT (HS256) that ``/status`` takes: ``{"type": 1, "jobIds": [...], "iat": ...}``."""
        payload = {"type": 1, "jobIds": job_ids, "iat": int(self._clock())}
        return jwt.encode(payload, self._secret, algorithm="HS256")

    def _signature(self, task_uuid: str, name: str, expires: int) -> str:
        message = f"{task_uuid}\n{name}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]
