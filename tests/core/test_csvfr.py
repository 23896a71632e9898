"""The French CSV conventions (core.csvfr): `;`, `\r\n`, UTF-8 with a BOM, JJ/MM/AAAA, Paris times,
decimal commas; the same bytes whether the file is written whole, streamed or into a zip entry."""
import datetime as dt
import io
from decimal import Decimal

from qualirepar.core import csvfr

HEADER = ["N° dossier", "Payé le", "Montant"]
ROWS = [["D-1", csvfr.day(dt.date(2025, 3, 5)), csvfr.amount(Decimal("25"))], ["D-2; bis", None, csvfr.amount(Decimal("0.5"))]]
EXPECTED = "\ufeffN° dossier;Payé le;Montant\r\nD-1;05/03/2025;25,00\r\n\"D-2; bis\";;0,50\r\n".encode("utf-8")


def test_a_file_has_the_bom_semicolons_and_windows_line_ends():
    assert csvfr.rows_to_bytes(HEADER, ROWS) == EXPECTED
    assert csvfr.rows_to_text(HEADER, ROWS).encode("utf-8") == EXPECTED


def test_a_streamed_file_is_the_same_bytes_in_chunks_of_rows():
    chunks = list(csvfr.stream(HEADER, ROWS, every=1))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeff") and "".join(chunks).encode("utf-8") == EXPECTED


def test_a_sheet_writes_the_same_bytes_into_a_binary_file_and_counts_its_rows():
    raw = io.BytesIO()
    sheet = csvfr.Sheet(raw, HEADER)
    for row in ROWS:
        sheet.row(row)
    sheet.close()
    assert raw.getvalue() == EXPECTED and sheet.rows == 2 and not raw.closed


def test_times_are_written_in_paris_and_a_naive_time_is_utc():
    assert csvfr.moment(dt.datetime(2025, 1, 6, 23, 30, tzinfo=dt.timezone.utc)) == "07/01/2025 00:30"
    assert csvfr.moment(dt.datetime(2025, 7, 1, 8, 0)) == "01/07/2025 10:00"
    assert csvfr.moment(None) == "" and csvfr.day(None) == ""


def test_yes_and_no_are_french(app):
    with app.test_request_context():
        assert (csvfr.yes(True), csvfr.yes(False)) == ("oui", "non")
