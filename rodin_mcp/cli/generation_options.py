"""One command-line option per generation option, built from the request model itself.

Names, choices and help come from the generation request's fields, so
the command line and the MCP tool can never offer different options.
"""

from __future__ import annotations

import argparse
import types
from typing import Any, Literal, Union, cast, get_args, get_origin

from pydantic.fields import FieldInfo

from rodin_mcp.service import GenerationRequest, option_names

__all__ = ["add_generation_options", "generation_options_from"]

# Shorter spellings people expect, besides the field's own name.
_ALIASES = {"bbox_condition": "--bbox"}


def _without_none(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _literal_choices(annotation: Any) -> list[str] | None:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return None


def _flags(name: str) -> list[str]:
    flags = ["--" + name.replace("_", "-")]
    if name in _ALIASES:
        flags.append(_ALIASES[name])
    return flags


def _help(info: FieldInfo) -> str:
    return (info.description or "").replace("%", "%%")


def _add_option(group: argparse._ArgumentGroup, name: str, info: FieldInfo) -> None:  # pyright: ignore[reportPrivateUsage]
    kind = _without_none(info.annotation)
    optional = kind is not info.annotation
    flags, text, metavar = _flags(name), _help(info), name.upper()
    if kind is bool:
        action = argparse.BooleanOptionalAction if optional else "store_true"
        group.add_argument(*flags, dest=name, action=action, default=None, help=text)
        return
    choices = _literal_choices(kind)
    if choices is not None:
        text += f" Choices: {', '.join(choices)}."
        group.add_argument(*flags, dest=name, choices=choices, metavar=metavar, help=text)
        return
    origin = get_origin(kind)
    if origin is tuple:
        width = len(get_args(kind))
        shape = ("W", "H", "L") if width == 3 else None
        group.add_argument(*flags, dest=name, type=int, nargs=width, metavar=shape, help=text)
        return
    if origin is list:
        items = _literal_choices(get_args(kind)[0])
        if items is not None:
            text += f" Choices: {' '.join(items)}."
        group.add_argument(*flags, dest=name, nargs="+", choices=items, metavar="LABEL", help=text)
        return
    value_type = int if kind is int else float if kind is float else str
    group.add_argument(*flags, dest=name, type=value_type, metavar=metavar, help=text)


def add_generation_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--tier``, ``--geometry-file-format``, ... (every request field but the prompt)."""
    group = parser.add_argument_group("generation options (Rodin's defaults when omitted)")
    for name in option_names():
        _add_option(group, name, GenerationRequest.model_fields[name])


def generation_options_from(args: argparse.Namespace, prompt: str | None) -> dict[str, Any]:
    """The generation options given on the command line (unset ones left to the defaults)."""
    options: dict[str, Any] = {"prompt": prompt}
    for name in option_names():
        value: Any = getattr(args, name, None)
        if value is None:
            continue
        options[name] = list(cast(list[Any], value)) if isinstance(value, tuple | list) else value
    return options
