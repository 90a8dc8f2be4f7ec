"""Tool signatures assembled from the request models, so arguments and options never drift.

A paid tool takes one flat keyword argument per request option; its input schema is built from
the signature :func:`flatten` gives it, and its spend-question resolver gets the same names.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field

__all__ = ["flatten", "option_parameters"]


def option_parameters(model: type[BaseModel], names: Sequence[str]) -> list[inspect.Parameter]:
    """One keyword-only parameter per option ``names`` of ``model``: its type, rules, default
    and description."""
    params: list[inspect.Parameter] = []
    for name in names:
        info = model.model_fields[name]
        annotation = Annotated[
            info.annotation,  # type: ignore[name-defined]
            *info.metadata,
            Field(description=info.description),
        ]
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=info.default, annotation=annotation
            )
        )
    return params


def flatten(
    fn: Any,
    leading: dict[str, Any],
    common: dict[str, tuple[Any, Any]],
    options: list[inspect.Parameter],
    returns: Any,
) -> None:
    """Give ``fn`` the parameters ``leading`` (required), ``common`` (keyword, with defaults),
    then ``options``."""
    params = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a)
        for n, a in leading.items()
    ]
    params += [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
        for n, (a, d) in common.items()
    ]
    params += options
    annotations: dict[str, Any] = {p.name: p.annotation for p in params}
    annotations["return"] = returns
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = annotations
