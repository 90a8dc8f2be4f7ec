"""Fixtures of the client tests, also used by tests/test_downloads.py (see fixtures.py)."""

from tests.api.fixtures import *  # noqa: F403
