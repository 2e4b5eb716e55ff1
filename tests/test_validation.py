"""The small checks of typed input shared by the features (app/validation.py)."""

from __future__ import annotations

import pytest

from app.validation import long_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ring före lunch.  ", "Ring före lunch."),
        ("Rad ett\r\nRad två", "Rad ett\nRad två"),  # a browser's line break
        ("Rad ett\rRad två", "Rad ett\nRad två"),  # an old Mac sheet's
        ("Rad ett\n\r\nRad två\tflik", "Rad ett\n\nRad två\tflik"),
    ],
)
def test_long_text_keeps_one_kind_of_line_break(typed: str, stored: str) -> None:
    assert long_text(typed, field="notes") == stored
