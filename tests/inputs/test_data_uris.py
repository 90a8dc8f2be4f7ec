"""Tests of data: URIs: encodings, declared types, malformed data and the size cap."""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest

from rodin_mcp.inputs import load_images
from tests.inputs.helpers import JPEG, PNG, WEBP, image_bytes, make_settings, refusal


def data_uri(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


@pytest.mark.anyio
async def test_base64_and_percent_encoded_data_uris_load(tmp_path: Path) -> None:
    wrapped = base64.encodebytes(JPEG).decode()  # with newlines every 76 characters
    urlsafe = base64.urlsafe_b64encode(WEBP).decode().rstrip("=")
    references = [
        data_uri(PNG),
        f"data:image/jpeg;base64,{wrapped}",
        f"data:image/webp;base64,{urlsafe}",
        "data:image/png," + urllib.parse.quote_from_bytes(PNG),
        data_uri(JPEG, media_type=""),
    ]
    images = await load_images(references, make_settings(tmp_path))
    assert [i.data for i in images] == [PNG, JPEG, WEBP, PNG, JPEG]
    assert images[0].source.startswith("data:image/png;base64,")
    assert len(images[0].source) < 80


@pytest.mark.anyio
async def test_a_data_uri_whose_type_does_not_match_its_bytes_is_refused(tmp_path: Path) -> None:
    error = await refusal([data_uri(PNG, "image/jpeg")], make_settings(tmp_path))
    assert "says image/jpeg" in str(error)
    assert "image/png" in str(error)


@pytest.mark.anyio
async def test_bad_data_uris_are_refused_with_short_references(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    cases = {
        "data:image/png;base64,@@@not base64@@@" + "A" * 5000: "not valid base64",
        "data:image/png;base64" + "A" * 5000: "no comma",
        data_uri(b"just some text " * 100, "text/plain"): "is text",
        data_uri(image_bytes("GIF"), "image/gif"): "a GIF image",
    }
    for reference, expected in cases.items():
        error = await refusal([reference], settings)
        assert expected in str(error)
        assert error.reference is not None
        assert len(error.reference) < 120
        assert len(str(error)) < 400


@pytest.mark.anyio
async def test_a_data_uri_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    big = PNG + b"\0" * 4000
    error = await refusal([data_uri(big)], make_settings(tmp_path, max_image_bytes=2000))
    assert "limit" in str(error)
