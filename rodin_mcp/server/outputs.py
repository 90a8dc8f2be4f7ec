"""The tools' output models: the service's results with ``next_step`` as this face's words."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pydantic import BaseModel, Field, create_model

from rodin_mcp.server.words import worded
from rodin_mcp.service import BalanceResult, DownloadsResult, GenerateResult, StatusResult

__all__ = ["DownloadsOutput", "GenerateOutput", "StatusOutput", "output_of"]

_R = TypeVar("_R", bound=BaseModel)


def _with_worded_next_step(result: type[BaseModel]) -> Any:
    return create_model(
        result.__name__,
        __base__=result,
        __doc__=result.__doc__,
        next_step=(str, Field(description="What to do next, in terms of these tools.")),
    )


GenerateOutput: type[BaseModel] = _with_worded_next_step(GenerateResult)
StatusOutput: type[BaseModel] = _with_worded_next_step(StatusResult)
DownloadsOutput: type[BaseModel] = _with_worded_next_step(DownloadsResult)
_OUTPUTS: dict[type[BaseModel], type[BaseModel]] = {
    GenerateResult: GenerateOutput,
    StatusResult: StatusOutput,
    DownloadsResult: DownloadsOutput,
    BalanceResult: BalanceResult,
}


def output_of(result: _R) -> _R:
    """The tool output for a service result (typed as the result, for the tool's signature)."""
    model = _OUTPUTS.get(type(result), type(result))
    return cast(_R, model.model_validate(worded(result)))
