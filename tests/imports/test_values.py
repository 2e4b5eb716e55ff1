"""Cells as Swedes write them: dates, counts and text."""

from __future__ import annotations

import datetime as dt

import pytest

from app.imports.values import (
    NO_SUCH_DATE,
    NO_YEAR,
    NOT_AN_INTEGER,
    TOO_LONG,
    UNREADABLE_DATE,
    ValueProblem,
    date_orders,
    detect_date_order,
    parse_date,
    parse_int,
    parse_text,
)

MARCH_5 = dt.date(2024, 3, 5)


def naive(*parts: int) -> dt.datetime:
    """A date and time as a workbook holds it: no time zone (Excel has none)."""
    return dt.datetime(*parts)  # noqa: DTZ001


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024-3-5",
        "2024/03/05",
        "2024.03.05",
        " 2024-03-05 ",
        "2024-03-05 00:00:00",
        "2024-03-05T09:30",
        "24-03-05",
        "5/3/2024",
        "05/03/2024",
        "05.03.2024",
        "5.3.24",
        "5 mars 2024",
        "5 MARS 2024",
        "5 Mars 2024",
        "5 mar 2024",
        "5 mar. 2024",
        "5:e mars 2024",
        "05 mars 24",
        "5 March 2024",
        "March 5, 2024",
        "20240305",
        "240305",
        "45356",
        45356,
        45356.0,
        45356.75,  # a date with a time of day
        naive(2024, 3, 5, 0, 0),
        naive(2024, 3, 5, 14, 30),
        MARCH_5,
    ],
)
def test_dates_as_swedes_write_them(value: object) -> None:
    assert parse_date(value) == MARCH_5  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("23 januari 2019", dt.date(2019, 1, 23)),
        ("1 juli 2019", dt.date(2019, 7, 1)),
        ("18 september 2019", dt.date(2019, 9, 18)),
        ("18 sept 2019", dt.date(2019, 9, 18)),
        ("3 okt 2019", dt.date(2019, 10, 3)),
        ("3 oct 2019", dt.date(2019, 10, 3)),
        ("1 maj 2019", dt.date(2019, 5, 1)),
        ("1 dec. 2019", dt.date(2019, 12, 1)),
        ("25/5/2019", dt.date(2019, 5, 25)),
        ("17.05.2019", dt.date(2019, 5, 17)),
        ("29/2/2024", dt.date(2024, 2, 29)),
        ("99-12-31", dt.date(1999, 12, 31)),
        (61, dt.date(1900, 3, 1)),
        (59, dt.date(1900, 2, 28)),
        (1, dt.date(1900, 1, 1)),
    ],
)
def test_more_dates(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_date_is_none(value: object) -> None:
    assert parse_date(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("igår", UNREADABLE_DATE),
        ("5 smurf 2024", UNREADABLE_DATE),
        ("2024-13-05", NO_SUCH_DATE),
        ("30/2/2024", NO_SUCH_DATE),
        ("31.04.2024", NO_SUCH_DATE),
        ("0224-03-05", UNREADABLE_DATE),
        ("5 mars", NO_YEAR),
        (60, NO_SUCH_DATE),  # Excel's 29 February 1900, which never was
        (0, UNREADABLE_DATE),
        (True, UNREADABLE_DATE),
        ("2024-03-05-01", UNREADABLE_DATE),
    ],
)
def test_unreadable_dates_say_why(value: object, message: str) -> None:
    with pytest.raises(ValueProblem) as raised:
        parse_date(value)  # type: ignore[arg-type]
    assert raised.value.message == message
    assert isinstance(raised.value, ValueError)
    assert str(value) in str(raised.value)


def test_the_order_decides_where_day_and_month_can_swap() -> None:
    assert parse_date("05/03/2024") == MARCH_5
    assert parse_date("05/03/2024", order="dmy") == MARCH_5
    assert parse_date("03/05/2024", order="mdy") == MARCH_5
    assert parse_date("05/03/24", order="ymd") == dt.date(2005, 3, 24)
    assert parse_date("05-03-24", order="dmy") == MARCH_5
    # A value that can only be read one way is read that way, whatever the order.
    assert parse_date("25/5/2019", order="mdy") == dt.date(2019, 5, 25)
    assert parse_date("5/25/2019") == dt.date(2019, 5, 25)
    # The order never touches what is unambiguous.
    assert parse_date("2024-03-05", order="mdy") == MARCH_5
    assert parse_date("5 mars 2024", order="mdy") == MARCH_5


def test_a_compact_date_that_a_spreadsheet_made_a_number() -> None:
    # "20240305" in a CSV opened in LibreOffice (or Excel) and saved as XLSX is the number
    # 20240305: read as the digits it was typed as, not as an Excel serial (the year 57000).
    assert parse_date(20240305) == MARCH_5
    assert parse_date(20240305.0) == MARCH_5
    assert parse_date(240305) == MARCH_5
    assert parse_date(45356) == MARCH_5  # a serial is still a serial
    for number, message in ((20241305, NO_SUCH_DATE), (2024030, UNREADABLE_DATE)):
        with pytest.raises(ValueProblem) as raised:
            parse_date(number)
        assert raised.value.message == message
        assert str(number) in str(raised.value)


def test_detecting_the_order_of_a_column() -> None:
    # ISO, real dates, text months: the order does not matter.
    assert detect_date_order(["2024-03-05", naive(2024, 1, 2), "5 mars 2024"]) is None
    assert date_orders(["2024-03-05", "", None, "igår"]) == []
    # Day first reads all, and the default reads the same: nothing to ask.
    assert detect_date_order(["25/5/2019", "17/4/2023"]) is None
    # Ambiguous: day first (the default) or month first; the user chooses.
    assert date_orders(["5/3/2024", "1/2/2024"]) == ["dmy", "mdy"]
    assert detect_date_order(["5/3/2024", "1/2/2024"]) == "dmy"
    # Only month first reads every value: pinned, although the default would read 3/4 as April.
    assert date_orders(["5/25/2024", "3/4/2024"]) == ["mdy"]
    assert detect_date_order(["5/25/2024", "3/4/2024"]) == "mdy"
    # Two-digit years with dashes are year first by default; day first also reads them.
    assert date_orders(["24-03-05", "23-12-01"]) == ["ymd", "dmy"]


def test_the_call_log_sample_column_needs_no_order() -> None:
    column = [naive(2023, 11, 9), "20/8/2023", "2/5/2023", "30/11/2023"]
    assert detect_date_order(column) is None
    assert [parse_date(value) for value in column][1:] == [
        dt.date(2023, 8, 20),
        dt.date(2023, 5, 2),
        dt.date(2023, 11, 30),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        ("3 st", 3),
        ("3st", 3),
        ("3 St.", 3),
        ("4 tjänster", 4),
        (" 12 ", 12),
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("0", 0),
        (3.0, 3),
        (7, 7),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_integers(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["tre", "3,5", "3.5", 3.5, "12 34", "3 äpplen", True, MARCH_5])
def test_what_is_no_integer(value: object) -> None:
    with pytest.raises(ValueProblem) as raised:
        parse_int(value)  # type: ignore[arg-type]
    assert raised.value.message == NOT_AN_INTEGER


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Åkeri AB ", "Åkeri AB"),
        ("0701234567", "0701234567"),
        ("08-123 45 67", "08-123 45 67"),
        (4670123.0, "4670123"),
        (4670123, "4670123"),
        (2.5, "2.5"),
        (naive(2024, 3, 5), "2024-03-05"),
        (naive(2024, 3, 5, 9, 30), "2024-03-05 09:30"),
        (MARCH_5, "2024-03-05"),
        (True, "Ja"),
        ("'=SUMMA(A1)", "'=SUMMA(A1)"),  # the CSV reader takes Matcha's guard off, not this
        ("rad ett\nrad två", "rad ett\nrad två"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_text(value: object, expected: str | None) -> None:
    assert parse_text(value) == expected  # type: ignore[arg-type]


def test_text_too_long() -> None:
    assert parse_text("abc", max_length=3) == "abc"
    with pytest.raises(ValueProblem) as raised:
        parse_text(" abcd ", max_length=3)
    assert raised.value.message == TOO_LONG
    assert raised.value.variables == {"max_length": 3, "length": 4}
    assert str(raised.value) == "Texten är för lång: högst 3 tecken, här 4."
