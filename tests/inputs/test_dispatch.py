"""Tests of the routing from a reference to its loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.inputs.helpers import make_settings, refusal


@pytest.mark.anyio
@pytest.mark.parametrize(
    "reference", ["ftp://127.0.0.1/a.png", "javascript:alert(1)", "gopher://127.0.0.1/a"]
)
async def test_other_schemes_are_refused(tmp_path: Path, reference: str) -> None:
    error = await refusal([reference], make_settings(tmp_path))
    assert "not supported" in str(error)
