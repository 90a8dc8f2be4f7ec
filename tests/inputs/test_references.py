"""Tests of how a reference is cleaned before it is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from rodin_mcp.inputs import load_images
from rodin_mcp.inputs.references import clean_reference, safe_reference
from tests.inputs.helpers import PNG, make_settings, write


@pytest.mark.anyio
async def test_a_quoted_path_with_spaces_around_it_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "my chair.png", PNG)
    (image,) = await load_images([f'  "{path}" '], make_settings(tmp_path))
    assert image.data == PNG


def test_the_safe_form_drops_url_queries_and_credentials_and_shortens_data_uris() -> None:
    assert safe_reference("https://user:pw@Example.com:8443/a.png?sig=SECRET#x") == (
        "https://example.com:8443/a.png"
    )
    assert safe_reference("http://[::1]/a.png?token=SECRET") == "http://[::1]/a.png"
    shown = safe_reference("data:image/png;base64," + "A" * 10_000)
    assert shown == "data:image/png;base64,… (10022 characters)"
    assert safe_reference("/x" * 200) == "/x" * 150 + "…"


def test_one_pair_of_quotes_and_the_blanks_around_a_reference_are_removed() -> None:
    assert clean_reference("  ' /home/me/a.png '  ") == "/home/me/a.png"
    assert clean_reference("\"/home/me/a.png'") == "\"/home/me/a.png'"
