"""Whether the viewer bundle is built, and what a test needing it does when it is not.

``scripts/test.sh`` builds the bundle and sets ``RODIN_TEST_REQUIRE_VIEWER=1``: there a missing
bundle fails the tests that need it. Elsewhere they are skipped with the reason. The variable is
read at import, because the suite's autouse fixture clears every ``RODIN_*`` variable.
"""

from __future__ import annotations

import os

import pytest

from rodin_mcp.server.viewer import VIEWER_BUNDLE

_REQUIRED = os.environ.get("RODIN_TEST_REQUIRE_VIEWER") == "1"
MISSING = f"the viewer bundle {VIEWER_BUNDLE} is not built (node viewer/build.mjs)"


def require_viewer() -> None:
    """Fail (under scripts/test.sh) or skip the calling test when the bundle is missing."""
    if VIEWER_BUNDLE.is_file():
        return
    if _REQUIRED:
        pytest.fail(MISSING)
    pytest.skip(MISSING)  # reason: MISSING names the file and how to build it; CI fails instead
