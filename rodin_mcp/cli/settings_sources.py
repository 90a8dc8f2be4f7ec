"""The settings a command runs with, and where each value came from.

Precedence is the usual one: a command-line argument, then a ``RODIN_*`` environment variable,
then the default. Secrets are never shown: only whether they are set, and their length.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import SecretStr, ValidationError

from rodin_mcp.errors import ConfigError
from rodin_mcp.settings import Settings

__all__ = ["SettingSource", "SettingValue", "describe_settings", "env_name", "load_settings"]

SettingSource = Literal["argument", "environment", "default"]
ENV_PREFIX = "RODIN_"


def env_name(field: str) -> str:
    """The environment variable that sets a settings field."""
    return ENV_PREFIX + field.upper()


def load_settings(arguments: Mapping[str, Any]) -> Settings:
    """Settings from the environment, with ``arguments`` (field -> value) taking precedence.

    Raises:
        ConfigError: a value is invalid; the message names the variable and never its value.
    """
    try:
        return Settings(**arguments)
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "settings"
            source = "--" + field.replace("_", "-") if field in arguments else env_name(field)
            problems.append(f"{source}: {error['msg']}")
        raise ConfigError("Invalid setting. " + "; ".join(problems)) from None


@dataclass(frozen=True)
class SettingValue:
    """One effective setting, for ``rodin-mcp config``."""

    name: str
    env_var: str
    value: str | float | int | bool | list[str] | None
    source: SettingSource
    description: str | None

    def as_json(self) -> dict[str, Any]:
        """The JSON form used by ``rodin-mcp config --json``."""
        return {
            "name": self.name,
            "env_var": self.env_var,
            "value": self.value,
            "source": self.source,
            "description": self.description,
        }


def _masked(secret: SecretStr | None) -> str | None:
    if secret is None:
        return None
    return f"set ({len(secret.get_secret_value())} characters, hidden)"


def _shown(value: Any) -> str | float | int | bool | list[str] | None:
    if isinstance(value, SecretStr) or value is None:
        return _masked(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [str(v) for v in cast(list[Any], value)]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def describe_settings(
    settings: Settings, arguments: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> list[SettingValue]:
    """Every settings field with its effective value (secrets masked) and its source."""
    env_keys = {k.upper() for k in (os.environ if environ is None else environ)}
    described: list[SettingValue] = []
    for name, info in Settings.model_fields.items():
        variable = env_name(name)
        source: SettingSource = "default"
        if name in arguments:
            source = "argument"
        elif variable in env_keys:
            source = "environment"
        described.append(
            SettingValue(
                name=name,
                env_var=variable,
                value=_shown(getattr(settings, name)),
                source=source,
                description=info.description,
            )
        )
    return described
