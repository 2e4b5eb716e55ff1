"""External tools some tests need (a browser, LibreOffice): skipped when missing on a
developer's machine, a failure in CI, so a green CI run has really run them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def require_tool(path: Path, what: str, how: str) -> None:
    """Skips the test if `path` is missing, or fails it when MATCHA_REQUIRE_TOOLS=1 or
    CI=true (`make ci` and .ci/run set them)."""
    if path.exists():
        return
    message = f"{what} is missing ({path}); {how}."
    if os.environ.get("MATCHA_REQUIRE_TOOLS") == "1" or os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
