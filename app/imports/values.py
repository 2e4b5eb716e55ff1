"""Cells as Swedes write them, read into Matcha's values: dates in every common form, counts
like "3 st", text that keeps its leading zeros. Each parser raises ValueProblem (a
ValueError) with a Swedish msgid and its variables when a cell cannot be read.

Organisation numbers are read by app/companies/orgnr.normalize, not here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from app.dates import month_number
from app.i18n import N_
from app.text import fold

Value = str | int | float | dt.datetime | dt.date | None

ORDERS = ("dmy", "ymd", "mdy")  # the orders a date column can be pinned to


class ValueProblem(ValueError):
    """A cell that cannot be read; `message` is a Swedish msgid, `variables` fill it in."""

    def __init__(self, message: str, **variables: object) -> None:
        super().__init__(message % variables if variables else message)
        self.message = message
        self.variables = variables


# --- Dates ----------------------------------------------------------------------------------

UNREADABLE_DATE = N_("Datumet går inte att läsa: %(value)s")
NO_SUCH_DATE = N_("Datumet finns inte: %(value)s")
NO_YEAR = N_("Datumet saknar år: %(value)s")

# Excel counts days from 1900-01-00 and, like Lotus 1-2-3, believes 1900 was a leap year:
# serial 60 is the 29th of February 1900 that never was, so from 61 on day 0 is 1899-12-30.
_EXCEL_DAY_ZERO = dt.date(1899, 12, 30)
_EXCEL_LEAP_BUG = 60
_EXCEL_LAST = 2958465  # 9999-12-31
# Years Matcha takes: a typo like 0224 or 2204 is an error, not a date.
_YEARS = range(1900, 2101)

_ISO = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?")
_NUMERIC = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4}|\d{2})")
_COMPACT = re.compile(r"(\d{4}|\d{2})(\d{2})(\d{2})")  # 20240305 or 240305
# The smallest number read as a compact date (ÅÅMMDD, ÅÅÅÅMMDD) instead of a serial: 100000
# days is the year 2173. (010305 has lost its zero as a number, 10305, a serial: 1928.)
_COMPACT_NUMBER = 100_000
_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")  # a date cell exported as its serial number
# "5 mars 2024", "5:e mars 2024", "5 mar. 24", "March 5, 2024".
_DAY_MONTH = re.compile(r"(\d{1,2})(?::?[ae])?\.?\s*([a-z]+)\.?,?\s*(\d{4}|\d{2})?")
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})?")


def parse_date(value: Value, *, order: str | None = None) -> dt.date | None:
    """A date from a cell: 2024-03-05, 24-03-05, 5/3/2024, 05.03.2024, 5 mars 2024,
    20240305, an Excel serial number (45356) or a real Excel date. Empty -> None.

    Where day and month could be swapped (05/03/2024), `order` decides: "dmy" (the
    Swedish way, also the default), "mdy" or "ymd". Without one, two-digit years with
    dashes read year first (24-03-05, as in Swedish short dates), others day first. A value
    that can only be read one way (25/5/2019) is read that way whatever the order.
    """
    return _parse_date(value, order, strict=False)


def _parse_date(value: Value, order: str | None, *, strict: bool) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueProblem(UNREADABLE_DATE, value=value)
    if isinstance(value, int | float):
        if value >= _COMPACT_NUMBER and float(value).is_integer():
            # 20240305 or 240305 typed in a CSV that LibreOffice or Excel opened: the cell
            # became the number, and a workbook saved from it has that number, not the text.
            # Far beyond the serial of any year Matcha takes, so it cannot be a serial.
            return _parse_date(str(int(value)), order, strict=strict)
        return _from_serial(value, shown=value)
    text = " ".join(str(value).split())
    if not text:
        return None
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(year, month, day, shown=text)
    if match := _NUMERIC.fullmatch(text):
        return _numeric_date(match, order, strict=strict, shown=text)
    if match := _COMPACT.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(_full_year(year) if year < 100 else year, month, day, shown=text)
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text.replace(",", ".")), shown=text)
    return _text_month_date(text)


def _date(year: int, month: int, day: int, *, shown: object) -> dt.date:
    if year not in _YEARS:
        raise ValueProblem(UNREADABLE_DATE, value=shown)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(NO_SUCH_DATE, value=shown) from None


def _full_year(year: int) -> int:
    # As strptime's %y: 69-99 are the 1900s, 00-68 the 2000s.
    return year + (1900 if year >= 69 else 2000)


def _from_serial(serial: float, *, shown: object) -> dt.date:
    days = int(serial)
    if days != serial and serial < 1:  # a time of day alone, no date
        raise ValueProblem(UNREADABLE_DATE, value=shown)
    if days == _EXCEL_LEAP_BUG:
        raise ValueProblem(NO_SUCH_DATE, value=shown)
    if not 1 <= days <= _EXCEL_LAST:
        raise ValueProblem(UNREADABLE_DATE, value=shown)
    if days < _EXCEL_LEAP_BUG:
        days += 1  # before the phantom day the count starts a day later
    date = _EXCEL_DAY_ZERO + dt.timedelta(days=days)
    if date.year not in _YEARS:
        raise ValueProblem(UNREADABLE_DATE, value=shown)
    return date


def _numeric_date(match: re.Match[str], order: str | None, *, strict: bool, shown: str) -> dt.date:
    first, separator, second, last = match.groups()
    if len(last) == 4:  # year last: only day and month can swap
        orders = ["mdy", "dmy"] if order == "mdy" else ["dmy", "mdy"]
    else:
        default = "ymd" if separator == "-" and len(first) == 2 else "dmy"
        preferred = order or default
        orders = [preferred, *(o for o in ORDERS if o != preferred)]
    if strict:
        orders = orders[:1]
    problem: ValueProblem | None = None
    for candidate in orders:
        parts = dict(zip(candidate, (int(first), int(second), int(last)), strict=True))
        year = parts["y"] if parts["y"] >= 100 else _full_year(parts["y"])
        try:
            return _date(year, parts["m"], parts["d"], shown=shown)
        except ValueProblem as error:
            problem = problem or error
    assert problem is not None
    raise problem


def _text_month_date(text: str) -> dt.date:
    folded = fold(text)
    if match := _DAY_MONTH.fullmatch(folded):
        day, month_name, year = match.groups()
    elif match := _MONTH_DAY.fullmatch(folded):
        month_name, day, year = match.groups()
    else:
        raise ValueProblem(UNREADABLE_DATE, value=text)
    month = month_number(month_name)
    if month is None:
        raise ValueProblem(UNREADABLE_DATE, value=text)
    if year is None:
        raise ValueProblem(NO_YEAR, value=text)
    number = int(year)
    return _date(_full_year(number) if number < 100 else number, month, int(day), shown=text)


def date_orders(values: Iterable[Value]) -> list[str]:
    """The orders ("dmy", "ymd", "mdy") that read every date of a column, when the choice
    matters. Empty: it does not (ISO dates, real Excel dates, or the default reading is the
    only one). One: only that order reads the whole column consistently. More than one:
    the column is ambiguous (05/03/2024) and the user should choose; the one the default
    reading agrees with comes first."""
    readable = []
    for value in values:
        try:
            if _parse_date(value, None, strict=False) is not None:
                readable.append(value)
        except ValueProblem:
            continue  # unreadable in any order: a row error, not a hint
    default = tuple(_parse_date(value, None, strict=False) for value in readable)
    readings: dict[tuple[dt.date | None, ...], str] = {}
    for order in ORDERS:
        try:
            reading = tuple(_parse_date(value, order, strict=True) for value in readable)
        except ValueProblem:
            continue
        readings.setdefault(reading, order)
    if len(readings) <= 1 and (not readings or default in readings):
        return []
    agreeing = readings.get(default)
    return sorted(readings.values(), key=lambda order: order != agreeing)


def detect_date_order(values: Iterable[Value]) -> str | None:
    """The order to read a date column in, or None when the default reading is right for it
    (see date_orders; when it returns several, the column is ambiguous: ask the user)."""
    orders = date_orders(values)
    return orders[0] if orders else None


# --- Numbers --------------------------------------------------------------------------------

NOT_AN_INTEGER = N_("Ange ett heltal, t.ex. 3: %(value)s")

_INTEGER = re.compile(
    r"([-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+|[-+]?\d+)"
    r"\s*(?:st|st\.|stycken|styck|pers|pers\.|personer|person|platser|plats|tjänster|tjänst)?"
)


def parse_int(value: Value) -> int | None:
    """A whole number: "3", " 12 ", "1 200", "3 st", 3.0 -> 3. Empty -> None.
    "tre", "3,5" and 3.5 are refused."""
    if value is None:
        return None
    if isinstance(value, bool | dt.date):
        raise ValueProblem(NOT_AN_INTEGER, value=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem(NOT_AN_INTEGER, value=value)
    text = str(value).strip()
    if not text:
        return None
    match = _INTEGER.fullmatch(text.casefold())
    if match is None:
        raise ValueProblem(NOT_AN_INTEGER, value=text)
    return int(re.sub(r"\s", "", match.group(1)))


# --- Text -----------------------------------------------------------------------------------

TOO_LONG = N_("Texten är för lång: högst %(max_length)d tecken, här %(length)d.")


def parse_text(value: Value, *, max_length: int | None = None) -> str | None:
    """The cell as text, stripped; empty -> None. Leading zeros stay (a text cell is text).

    Numbers from a workbook are written as a person would: 4670123.0 -> "4670123". A phone
    number that was stored as a NUMBER in Excel has lost its leading zero before it reached
    us (0701234567 became 701234567); nothing can tell it back. Real dates become ISO dates.
    CSV cells come here with Matcha's formula guard already taken off (reading.py).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "Ja" if value else "Nej"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        raise ValueProblem(TOO_LONG, max_length=max_length, length=len(text))
    return text
