"""One command-line option per generation option, built from the request model itself.

Names, choices and help come from the generation request's fields, so
the command line and the MCP tool can never offer different options.
"""

from __future__ import annotations

import argparse
import types
from typing import Any, Literal, Union, cast, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from rodin_mcp.service import (
    GenerationRequest,
    SplitRequest,
    TextureRequest,
    option_names,
    split_option_names,
    texture_option_names,
)

__all__ = [
    "add_generation_options",
    "add_split_options",
    "add_texture_options",
    "generation_options_from",
    "split_options_from",
    "texture_options_from",
]

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


def _add_options(
    parser: argparse.ArgumentParser, title: str, model: type[BaseModel], names: list[str]
) -> None:
    group = parser.add_argument_group(f"{title} (Rodin's defaults when omitted)")
    for name in names:
        _add_option(group, name, model.model_fields[name])


def _options_from(args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name in names:
        value: Any = getattr(args, name, None)
        if value is None:
            continue
        options[name] = list(cast(list[Any], value)) if isinstance(value, tuple | list) else value
    return options


def add_generation_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--tier``, ``--geometry-file-format``, ... (every request field but the prompt)."""
    _add_options(parser, "generation options", GenerationRequest, option_names())


def generation_options_from(args: argparse.Namespace, prompt: str | None) -> dict[str, Any]:
    """The generation options given on the command line (unset ones left to the defaults)."""
    return {"prompt": prompt, **_options_from(args, option_names())}


def add_texture_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--prompt``, ``--seed``, ``--resolution``, ... (every texture request field)."""
    _add_options(parser, "texture options", TextureRequest, texture_option_names())


def texture_options_from(args: argparse.Namespace) -> dict[str, Any]:
    """The texture options given on the command line."""
    return _options_from(args, texture_option_names())


def add_split_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--strength``, ``--material``, ... (every split request field but its task)."""
    _add_options(parser, "split options", SplitRequest, split_option_names())


def split_options_from(args: argparse.Namespace) -> dict[str, Any]:
    """The split options given on the command line."""
    return _options_from(args, split_option_names())
