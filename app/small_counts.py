"""Counts of people that could single someone out: from 1 to SMALL_COUNT - 1 they show as
HIDDEN ("< 5"), and a share of fewer than SMALL_COUNT is not shown. The reports hide them
when a filter narrows the figures; a job track's results always do."""

from __future__ import annotations

# A count of people below this is shown as HIDDEN.
SMALL_COUNT = 5
HIDDEN = "< 5"
# What a cell shows: a count, HIDDEN, or nothing (None: a share of no one, a figure not set).
Cell = int | str | None


def shown_count(value: int | None, *, hide_small: bool = True) -> Cell:
    """The count as shown: HIDDEN from 1 to SMALL_COUNT - 1 (when hiding), else itself."""
    if value is not None and hide_small and 0 < value < SMALL_COUNT:
        return HIDDEN
    return value


def share(part: int, whole: int, *, hide_small: bool = True) -> int | None:
    """part of whole in whole percent, rounded half up (no float reaches a page or a file);
    None when there is no one to share, or (hide_small) fewer than SMALL_COUNT."""
    if whole == 0 or (hide_small and whole < SMALL_COUNT):
        return None
    return (200 * part + whole) // (2 * whole)


def shown_share(part: int | None, whole: int | None) -> int | None:
    """A share beside a count that is always hidden when small: withheld when the count
    itself shows as HIDDEN too, as it could be worked back from the share."""
    if part is None or whole is None or shown_count(part) == HIDDEN:
        return None
    return share(part, whole)
