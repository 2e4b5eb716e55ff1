"""What a list page says of itself, read from its HTML (templates/_shared/lists.html)."""

from __future__ import annotations

import re


def found_count(html: str) -> str:
    """The list's "N …" or "Över 1 000 …" (visually hidden when it found none)."""
    match = re.search(r'<p class="found-count[^"]*" id="found-count">([^<]*)</p>', html)
    assert match, "no count on the page"
    return match.group(1)
