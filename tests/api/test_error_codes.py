"""Rodin's business error codes, in both naming generations, become the same typed leaves."""

from __future__ import annotations

import pytest

from rodin_mcp.api import error_for_code
from rodin_mcp.errors import (
    APIError,
    InsufficientFundsError,
    InvalidRequestError,
    SubscriptionError,
)


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("INSUFFICIENT_FUND", "API_INSUFFICIENT_FUNDS", InsufficientFundsError),
        ("NO_ACTIVE_SUBSCRIPTION", "API_NO_ACTIVE_SUBSCRIPTION", SubscriptionError),
        ("SUBSCRIPTION_PLAN_TOO_LOW", "API_SUBSCRIPTION_PLAN_TOO_LOW", SubscriptionError),
    ],
)
def test_both_naming_generations_of_a_code_give_the_same_error(
    old: str, new: str, kind: type[APIError]
) -> None:
    assert type(error_for_code(old, None, operation="submit")) is kind
    assert type(error_for_code(new, None, operation="submit")) is kind


def test_codes_are_matched_whatever_their_case_and_spacing() -> None:
    error = error_for_code(" api_insufficient_funds ", None, operation="submit")
    assert isinstance(error, InsufficientFundsError)


def test_an_unknown_code_is_a_plain_api_error_that_quotes_it() -> None:
    error = error_for_code("SOMETHING_NEW", "details", operation="status")
    assert type(error) is APIError
    assert "status" in str(error)
    assert "SOMETHING_NEW: details" in str(error)
    assert error.code == "SOMETHING_NEW"


def test_an_invalid_request_names_the_option_rodin_complains_about() -> None:
    error = error_for_code(
        "INVALID_REQUEST", "geometry_file_format must be one of glb", operation="submit"
    )
    assert isinstance(error, InvalidRequestError)
    assert error.field == "geometry_file_format"
    label = error_for_code("IMAGE_LABEL_LENGTH_TOO_LONG", None, operation="submit")
    assert isinstance(label, InvalidRequestError)
    assert label.field == "image_label"


def test_a_secret_in_rodins_message_is_never_quoted() -> None:
    secret = "k" * 40
    error = error_for_code(
        "INVALID_REQUEST", f"bad key {secret}", operation="submit", secrets=(secret,)
    )
    assert secret not in str(error)
