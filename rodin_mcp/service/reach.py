"""What a person may reach beyond their own tasks: this machine's files, and tasks from elsewhere.

Both rules turn on whether the person is the server's local owner (who runs it on this machine,
over stdio or the command line) or someone it serves over the network:

* **This machine's files** (a path or ``file:`` URI as an image or model): the local owner may
  name any, within ``RODIN_ALLOWED_INPUT_DIRS`` when it is set; anyone else only when the operator
  listed folders there. Otherwise such a reference is refused before anything is looked up.
* **Tasks submitted elsewhere** (followed with their subscription key, fetched, or split): the
  shared Rodin key reaches every job of the account, so only the local owner may by default;
  ``RODIN_ALLOW_FOREIGN_TASKS`` decides for everyone when it is set.
"""

from __future__ import annotations

from rodin_mcp.people import Person
from rodin_mcp.settings import Settings

__all__ = ["may_reach_elsewhere", "may_read_local_files"]


def may_read_local_files(person: Person, settings: Settings) -> bool:
    """Whether ``person``'s references may name files on this machine."""
    return person.is_local_owner or bool(settings.allowed_input_dirs)


def may_reach_elsewhere(person: Person, allow_foreign_tasks: bool | None) -> bool:
    """Whether ``person`` may act on tasks this server did not submit for them."""
    return person.is_local_owner if allow_foreign_tasks is None else allow_foreign_tasks
