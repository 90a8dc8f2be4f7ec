"""The people the server acts for: each task, run, file, upload and budget belongs to one.

A :class:`Person` is what every use case of the service and every row of the ledger takes. The
faces make one from what they know of the caller: the command line and the stdio server act for
the :data:`LOCAL_OWNER` (whoever runs them on this machine), as does HTTP on loopback without
tokens; over HTTP with tokens each token is one person (named by the operator, or with a stable
anonymous name derived from a keyed digest of the token; the token itself is never stored); an
OAuth sign-in gives one person per ``(issuer, subject)``.

``key`` is what the ledger stores and compares: stable across restarts, and never a credential.
``name`` is what people are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOCAL_OWNER", "Person"]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the server acts for."""

    key: str
    """The ledger's key for them: ``local``, ``token:<name>`` or ``oauth:<digest>``."""
    name: str
    """How they are shown (a token's name, an anonymous name, a sign-in's display name)."""

    @property
    def is_local_owner(self) -> bool:
        """Whether this is the person who runs the server on this machine."""
        return self.key == LOCAL_OWNER.key

    def __str__(self) -> str:
        return self.name

    @classmethod
    def stored(cls, key: str) -> Person:
        """The person a ledger row names by ``key`` (shown by the name the key holds)."""
        if key == LOCAL_OWNER.key:
            return LOCAL_OWNER
        return cls(key=key, name=key.partition(":")[2] or key)


LOCAL_OWNER = Person(key="local", name="local owner")
"""Whoever runs the command line or a stdio server on this machine (and every row written
before people were told apart)."""
