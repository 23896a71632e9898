"""The French CSV conventions, one way: `;` between cells, `\\r\\n` between lines, UTF-8 with a BOM
(Excel opens the file as UTF-8 only with it), dates JJ/MM/AAAA, times in Europe/Paris, amounts with
a decimal comma (`core.money.french_amount`).

Used by the audit pack (one entry of its zip after the other: `Sheet`), the explorer's streamed
export (`stream`) and the reconciliation export (`rows_to_text`, `rows_to_bytes`).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import IO, Iterable, Iterator

from flask_babel import gettext as _

from .clock import paris_time
from .money import french_amount, french_number

SEPARATOR = ";"
LINE_END = "\r\n"
BOM = "\ufeff"
DATE = "%d/%m/%Y"
DATETIME = "%d/%m/%Y %H:%M"
STREAM_ROWS = 500  # rows per chunk of a streamed file

amount = french_amount
number = french_number


def writer(out: IO[str]):
    """A csv writer of the French conventions into a text file object (the BOM is the caller's)."""
    return csv.writer(out, delimiter=SEPARATOR, lineterminator=LINE_END)


def day(value: dt.date | None) -> str:
    """JJ/MM/AAAA; '' for no date."""
    return value.strftime(DATE) if value else ""


def moment(value: dt.datetime | None) -> str:
    """JJ/MM/AAAA HH:MM of a stored instant, in Paris (a naive value is UTC); '' for none."""
    value = paris_time(value)
    return value.strftime(DATETIME) if value else ""


def yes(value: bool) -> str:
    return _("oui") if value else _("non")


def _cells(values: Iterable) -> list:
    return ["" if v is None else v for v in values]


def rows_to_text(header: list[str], rows: Iterable[Iterable]) -> str:
    """The whole file as text, BOM first."""
    out = io.StringIO()
    out.write(BOM)
    w = writer(out)
    w.writerow(header)
    for row in rows:
        w.writerow(_cells(row))
    return out.getvalue()


def rows_to_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    return rows_to_text(header, rows).encode("utf-8")


def stream(header: list[str], rows: Iterable[Iterable], every: int = STREAM_ROWS) -> Iterator[str]:
    """The file in chunks of `every` rows (the first with the BOM and the header), for a streamed response."""
    buffer = io.StringIO()
    w = writer(buffer)
    buffer.write(BOM)
    w.writerow(header)
    for count, row in enumerate(rows, 1):
        w.writerow(_cells(row))
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class Sheet:
    """A CSV written row by row into a binary file object (an entry of a zip): BOM and header first;
    counts its rows, the header not included. `close()` leaves `raw` open for its owner."""

    def __init__(self, raw: IO[bytes], header: list[str]):
        self._text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        self._text.write(BOM)
        self._writer = writer(self._text)
        self._writer.writerow(header)
        self.rows = 0

    def row(self, values: Iterable) -> None:
        self._writer.writerow(_cells(values))
        self.rows += 1

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
