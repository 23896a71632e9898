"""Exports of a view, every row: CSV streamed line by line, XLSX written row by row by openpyxl's
write-only mode (rows go to a temporary file, not to memory) and then sent in chunks. Either way
the rows come from the database EXPORT_BATCH at a time, so 100,000 rows cost no more memory than
a thousand."""
from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from typing import Any, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..claims.models import STATUS_LABELS as CLAIM_STATUS_LABELS
from ..core import csvfr
from ..eco.models import ORGANISMS
from ..repairs import states
from .query import Spec, raw_value, stream

CHUNK = 64 * 1024


def text(column, value: Any) -> str:
    """A cell as the page and the CSV show it, in French."""
    if value is None:
        return ""
    kind = column.kind
    if kind == "order_status":
        return str(states.LABELS.get(value, value))
    if kind == "claim_status":
        return str(CLAIM_STATUS_LABELS.get(value, value))
    if kind == "organism":
        return str(ORGANISMS.get(value, value))
    if kind == "bool":
        return csvfr.yes(value)
    if kind == "money":
        return csvfr.amount(value)
    if isinstance(value, dt.datetime):
        return value.strftime(csvfr.DATETIME)  # as stored, as the page shows it
    if isinstance(value, dt.date):
        return csvfr.day(value)
    return str(value)


def filename(spec: Spec, extension: str, today: dt.date) -> str:
    set_aside = "-ecartes" if spec.filters.get("set_aside") else ""  # not to be mistaken for the returns themselves
    return f"{spec.dataset.key}{set_aside}-{today.isoformat()}.{extension}"


def csv_lines(spec: Spec, today: dt.date) -> Iterator[str]:
    """The CSV in the French conventions (`core.csvfr`), a few hundred lines per chunk."""
    columns = spec.chosen
    rows = ([text(c, raw_value(c, row, today)) for c in columns] for row in stream(spec))
    yield from csvfr.stream([str(c.label) for c in columns], rows)


def xlsx_chunks(spec: Spec, today: dt.date) -> Iterator[bytes]:
    """The workbook, typed cells (dates are dates, amounts are numbers), then its bytes in chunks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(spec.dataset.label)[:31])
    columns = spec.chosen
    for index, column in enumerate(columns):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = 14 if column.kind in ("date", "money", "days", "days_between", "bool") else 24
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    formats = {"date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM", "money": '#,##0.00 "€"'}
    for row in stream(spec):
        cells = []
        for column in columns:
            value = raw_value(column, row, today)
            if column.kind in ("order_status", "claim_status", "organism", "bool"):
                value = text(column, value) if value is not None else None
            elif isinstance(value, dt.datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones
            elif isinstance(value, Decimal):
                value = float(value)
            if column.kind in formats and value is not None:
                cell = WriteOnlyCell(sheet, value=value)  # a cell object only where a format is needed: they are slow
                cell.number_format = formats[column.kind]
                value = cell
            cells.append(value)
        sheet.append(cells)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
