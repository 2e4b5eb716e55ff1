"""The CSV dialect and formula neutralisation, byte by byte."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from app.clock import STOCKHOLM
from app.exports.csv_format import (
    Dialect,
    Writer,
    date_cell,
    instant_cell,
    neutralise,
    unneutralise,
)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("+46 72 909 13 93", "'+46 72 909 13 93"),
        ("=SUMMA(A1:A2)", "'=SUMMA(A1:A2)"),
        ("-5", "'-5"),
        ("@kommun", "'@kommun"),
        ("\tindrag", "'\tindrag"),
        ("\rrad", "'\rrad"),
        ("'=redan", "''=redan"),  # an apostrophe of the user's own survives the round trip
        ("Åkeri Öst AB", "Åkeri Öst AB"),
        ("'t Hooft", "'t Hooft"),
        ("070-123 45 67", "070-123 45 67"),
        ("a=b", "a=b"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_neutralise_guards_formulas_and_the_round_trip_restores_them(value, written):
    assert neutralise(value) == written
    assert unneutralise(written) == value


def test_unneutralise_leaves_texts_that_were_never_guarded():
    assert unneutralise("'hej") == "'hej"
    assert unneutralise("=1+1") == "=1+1"  # a formula in someone's sheet: the import's call


def test_writer_writes_bom_semicolons_crlf_and_quotes_only_where_needed():
    writer = Writer()
    first = writer.chunk([["Namn", "Ort"]], bom=True)
    second = writer.chunk([["Bygg; Montage AB", 'Säger "hej"'], ["Rad\nett", None]])
    assert first == "\ufeffNamn;Ort\r\n".encode()
    assert second == ('"Bygg; Montage AB";"Säger ""hej"""\r\n"Rad\nett";\r\n').encode()
    assert not first.startswith(b"sep=")


def test_the_dialect_reads_back_what_the_writer_wrote():
    data = Writer().chunk([["+46 8 12", "Öl; och bröd", "två\r\nrader"]], bom=True)
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect=Dialect))
    assert [[unneutralise(cell) for cell in row] for row in rows] == [
        ["+46 8 12", "Öl; och bröd", "två\r\nrader"]
    ]


def test_dates_are_iso_and_instants_are_stockholm_time_to_the_minute():
    assert date_cell(dt.date(2026, 3, 2)) == "2026-03-02"
    assert date_cell(None) == ""
    # 08:30 UTC in March is 09:30 in Stockholm (CET); in July it is 10:30 (CEST).
    assert instant_cell(dt.datetime(2026, 3, 2, 8, 30, 59, tzinfo=dt.UTC)) == "2026-03-02 09:30"
    assert instant_cell(dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)) == "2026-07-01 10:30"
    assert instant_cell(dt.datetime(2026, 3, 2, 23, 30, tzinfo=STOCKHOLM)) == "2026-03-02 23:30"
    assert instant_cell(None) == ""
