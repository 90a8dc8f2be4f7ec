"""The shape of the ids Rodin issues, checked before a call touches the ledger or the network.

A task id is a UUID-like token; a subscription key is a JWT (base64url parts joined by dots).
Anything else (empty, huge, with spaces, control characters or path separators) is refused at
once, so bad input leaves no trace. A refused key is never echoed: it is a bearer handle.
"""

from __future__ import annotations

import re

from rodin_mcp.errors import MalformedIdError

__all__ = ["check_subscription_key", "check_task_uuid"]

_TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_SUBSCRIPTION_KEY = re.compile(r"[A-Za-z0-9_\-.=+/]{1,8192}")
_SHOWN = 40


def check_task_uuid(task_uuid: str) -> str:
    """``task_uuid`` if it has the shape of a Rodin task id.

    Raises:
        MalformedIdError: it cannot be one.
    """
    if _TASK_ID.fullmatch(task_uuid) is None:
        shown = task_uuid[:_SHOWN].encode("unicode_escape").decode("ascii")
        more = "..." if len(task_uuid) > _SHOWN else ""
        raise MalformedIdError(
            f"'{shown}{more}' is not a Rodin task id (a UUID such as "
            "0b5c3d4e-1f2a-4b6c-8d9e-0123456789ab); nothing was looked up or recorded.",
            what="task id",
        )
    return task_uuid


def check_subscription_key(subscription_key: str) -> str:
    """``subscription_key`` if it has the shape of a Rodin subscription key (a JWT).

    Raises:
        MalformedIdError: it cannot be one (the message does not repeat it).
    """
    if _SUBSCRIPTION_KEY.fullmatch(subscription_key) is None:
        raise MalformedIdError(
            "The subscription key given is not one Rodin issues (a JWT: letters, digits, '-', "
            "'_' and '.'); nothing was looked up or recorded.",
            what="subscription key",
        )
    return subscription_key
