"""What a sheet may be before Matcha reads it, and how much of it: the limits (the
MATCHA_IMPORT_MAX_... settings), the counter that holds a sheet to them as it is read, and
the checks of a workbook's zip and XML before openpyxl opens it. The errors a file that is
no sheet, or too much of one, raises. app/imports/reading.py reads; this bounds it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from app.errors import ValidationFailed
from app.i18n import N_
from app.text import grouped

if TYPE_CHECKING:
    from app.config import Settings

Cell = str | int | float | dt.datetime | dt.date | None


# What a workbook's zip may hold before anything in it is read: no member unpacks to more
# than this, nor (above a megabyte) to more than this many times its packed size. A sheet
# of real data packs 5 to 20 times; a "zip bomb" far more.
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_PACKING_RATIO = 100
PACKING_CHECKED_ABOVE = 1024 * 1024


class UnreadableFile(ValidationFailed):
    """The upload is neither a CSV text nor an Excel workbook Matcha can read."""


class TooBig(UnreadableFile):
    """The sheet is over one of the limits (Limits): refused before it is read whole."""


@dataclass(frozen=True)
class Limits:
    """How much of a sheet Matcha reads (MATCHA_IMPORT_MAX_ROWS and its siblings): a file
    over any of them is refused with a message that says which, before it costs more time
    or memory than an allowed one. The defaults hold 100,000 rows of 20 columns."""

    rows: int = 100_000  # data rows, below the header
    columns: int = 200  # up to the last filled cell of a row (column GR)
    cell_chars: int = 32_767  # Excel's own limit for a cell
    cells: int = 2_000_000  # filled cells in all

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            rows=settings.import_max_rows,
            columns=settings.import_max_columns,
            cell_chars=settings.import_max_cell_chars,
            cells=settings.import_max_cells,
        )


# A file accepted once is read again under these (the wizard's pages, the job): only the
# structural checks apply, so a file is never refused after a limit was lowered.
NO_LIMITS = Limits(rows=10**9, columns=16_384, cell_chars=10**9, cells=10**12)


TOO_MANY_ROWS = N_(
    "%(file)s har fler än %(max)s rader. Matcha läser högst %(max)s rader i en import: "
    "dela upp filen i flera."
)
TOO_MANY_COLUMNS = N_(
    "%(file)s har en ifylld cell i kolumn %(column)s (rad %(row)s). Matcha läser högst "
    "%(max)s kolumner: ta bort det som står långt till höger, eller kopiera tabellen till "
    "ett nytt blad."
)
TOO_MANY_CELLS = N_("%(file)s har fler än %(max)s ifyllda celler. Dela upp filen i flera importer.")
CELL_TOO_LONG = N_(
    "%(file)s har en cell på rad %(row)s med fler än %(max)s tecken. Ofta är det ett "
    'citattecken (") som inleder en cell men aldrig avslutas: rätta det i filen och '
    "försök igen."
)
UNTERMINATED_QUOTE = N_(
    '%(file)s har ett citattecken (") på rad %(row)s som aldrig avslutas, så resten av '
    "filen blev en enda cell. Rätta det i filen och försök igen."
)
PACKED_TOO_TIGHT = N_(
    "%(file)s packas upp till mer än en Excel-fil med data kan innehålla (%(member)s). "
    "Spara den som .xlsx eller CSV i Excel och försök igen."
)


def column_letters(number: int) -> str:
    """1 -> "A", 28 -> "AB", 16384 -> "XFD"."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class CellCounter:
    """Counts the filled cells read, refusing the file at the limit."""

    def __init__(self, filename: str, limits: Limits, *, above_data: int = 0) -> None:
        self.filename, self.limits, self.cells = filename, limits, 0
        # Rows a sheet may hold in all: the data rows' limit, and the title lines and
        # header above them (`above_data`, the reader's to say).
        self.most_rows = limits.rows + above_data

    def row(self, number: int, cells: Sequence[Cell]) -> None:
        self.width(number, last_filled(cells))
        self.chars(number, max((len(c) for c in cells if isinstance(c, str)), default=0))
        self.add(filled(cells))

    def chars(self, number: int, longest: int) -> None:
        if longest > self.limits.cell_chars:
            raise TooBig(
                CELL_TOO_LONG,
                field="file",
                variables={
                    "file": self.filename,
                    "row": number,
                    "max": grouped(self.limits.cell_chars),
                },
            )

    def add(self, filled: int) -> None:
        self.cells += filled
        if self.cells > self.limits.cells:
            raise TooBig(
                TOO_MANY_CELLS,
                field="file",
                variables={"file": self.filename, "max": grouped(self.limits.cells)},
            )

    def width(self, number: int, width: int) -> None:
        if width > self.limits.columns:
            raise TooBig(
                TOO_MANY_COLUMNS,
                field="file",
                variables={
                    "file": self.filename,
                    "column": column_letters(width),
                    "row": number,
                    "max": self.limits.columns,
                },
            )

    def too_many_rows(self) -> TooBig:
        return TooBig(
            TOO_MANY_ROWS,
            field="file",
            variables={"file": self.filename, "max": grouped(self.limits.rows)},
        )


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def filled(cells: Sequence[Cell]) -> int:
    return sum(1 for cell in cells if not is_blank(cell))


def last_filled(cells: Sequence[Cell]) -> int:
    for position in range(len(cells), 0, -1):
        if not is_blank(cells[position - 1]):
            return position
    return 0


# --- A workbook, before openpyxl opens it ----------------------------------------------


def check_archive(data: bytes, filename: str, counter: CellCounter) -> None:
    """What the workbook holds, checked before openpyxl opens it: each member's size
    unpacked, as the zip declares it (Python's zipfile stops reading a member at its
    declared size, so the declaration bounds what is read), then each sheet's rows
    (_check_rows). openpyxl reads a whole sheet when it opens a workbook whose sheet does
    not declare its size: that, too, comes after these checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip after all: load_workbook says so in its own words
    with archive:
        members = archive.infolist()
        _check_sizes(members, filename)
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                try:
                    with archive.open(member) as source:
                        _check_rows(source, counter)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                    return  # a damaged member: load_workbook says so in its own words


# The sheet's declared size, near the start of its XML: <dimension ref="A1:XFD1048576"/>.
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*[0-9]*:?([A-Z]+)([0-9]+)"')
# A row element of the sheet's XML, as it is counted before the rows are parsed.
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
SCAN_CHUNK = 1024 * 1024
# Parsing a row costs some 50 times more than finding it: a sheet with far more row
# elements than the limit allows is refused after a scan. Rows that only hold formatting
# are row elements too, so the scan allows twice the limit; the parse counts exactly.
SCAN_ALLOWANCE = 2


def _check_rows(source: IO[bytes], counter: CellCounter) -> None:
    """A sheet's declared last row, then its row elements counted in the raw XML (which
    no sheet can lie about), before its rows are parsed. A sheet that passes is still
    bounded as it is parsed: every row is counted against the limits."""
    most = counter.most_rows
    chunk = source.read(SCAN_CHUNK)
    found = _DIMENSION.search(chunk[:4096])
    if found is not None and int(found.group(2)) > most:
        raise counter.too_many_rows()
    # (A far last column declared is left to the parse, which names the cell.)
    elements, tail = 0, b""
    while chunk:
        window = tail + chunk
        # What lies wholly in the tail was counted with the chunk before.
        elements += sum(1 for row in _ROW.finditer(window) if row.end() > len(tail))
        tail = window[-16:]
        if elements > SCAN_ALLOWANCE * most:
            raise counter.too_many_rows()
        chunk = source.read(SCAN_CHUNK)


def _check_sizes(members: list[zipfile.ZipInfo], filename: str) -> None:
    for member in members:
        packed = max(member.compress_size, 1)
        too_big = member.file_size > MAX_MEMBER_BYTES
        too_tight = (
            member.file_size > PACKING_CHECKED_ABOVE
            and member.file_size / packed > MAX_PACKING_RATIO
        )
        if too_big or too_tight:
            raise TooBig(
                PACKED_TOO_TIGHT,
                field="file",
                variables={"file": filename, "member": member.filename[:100]},
            )
