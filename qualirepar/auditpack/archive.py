"""Writing the audit pack's zip: every entry dated when the pack was made, readable by all once
unpacked, each written whole before the next one starts (CSV entries row by row, in the French
conventions of `core.csvfr`). What went in is kept in a `Summary` for the readme and the audit log."""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field

from ..core import csvfr


@dataclass
class Part:
    """One file of the pack: its name in the zip, its row count, what it holds (for the readme)."""

    name: str
    rows: int
    what: str


@dataclass
class Summary:
    """What went into the zip: each file with its row count, and how the bons were obtained."""

    parts: list[Part] = field(default_factory=list)
    bons_included: bool = True
    bons_rendered: int = 0
    bons_copied: int = 0
    render_seconds: float = 0.0
    seconds: float = 0.0


class Zip:
    """The zip being written."""

    def __init__(self, zf: zipfile.ZipFile, made_at: dt.datetime):
        self.zf = zf
        self.date_time = made_at.timetuple()[:6]

    def info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def csv(self, name: str, header: list[str]) -> "CsvEntry":
        return CsvEntry(self.zf.open(self.info(name), "w"), name, header)

    def writestr(self, name: str, data: bytes | str) -> None:
        self.zf.writestr(self.info(name), data)


class CsvEntry(csvfr.Sheet):
    """A CSV entry of the zip (a context manager: the entry is closed on leaving it)."""

    def __init__(self, raw, name: str, header: list[str]):
        super().__init__(raw, header)
        self.name = name
        self._raw = raw

    def close(self) -> None:
        super().close()
        self._raw.close()

    def __enter__(self) -> "CsvEntry":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
