"""Labels and values in two dimensions (issue 18): a table's header row over its cells, a label and
its value far apart on one row, a PDF text layer put back in reading order. Words and boxes are
built here (no corpus file)."""
from __future__ import annotations

import pytest

from qualirepar.ocr.extraction import invoice_fields
from qualirepar.ocr.reading import Page, Reading, Word
from qualirepar.ocr.textlayer import rows_of


@pytest.fixture(autouse=True)
def _fresh_state():
    """Pure functions: no app, no database (overrides the suite's autouse fixture)."""
    yield


def laid_out(*rows: list[tuple[str, float]], height: float = 10.0, conf: float = 95.0) -> Reading:
    """A page whose k-th row of (text, left) cells stands 2 line heights below the previous one;
    each cell's words are 6 points a letter wide. Each cell is a line of the page's text."""
    words, lines = [], []
    for k, row in enumerate(rows):
        top = 100 + k * 2 * height
        for text, left in row:
            x = left
            for token in text.split():
                words.append(Word(token, conf, (x, top, x + 6 * len(token), top + height)))
                x += 6 * len(token) + 4
            lines.append(text)
    return Reading([Page("\n".join(lines), words, "ocr", 0.1)])


def test_a_header_row_gives_the_cells_below():
    """«N° facture», «Date», «Total TTC» in one header row, the values in the row below."""
    page = laid_out([("N° facture", 50), ("Date", 200), ("Total TTC", 350)],
                    [("F2024-0117", 50), ("12/03/2024", 200), ("120,00 €", 350)])
    found = invoice_fields(page)
    assert (found["number"].value, found["date"].value, found["total_ttc"].value) == ("F2024-0117", "2024-03-12", "120.00")
    assert found["number"].source == "N° facture / F2024-0117"


def test_a_german_header_over_its_value():
    page = laid_out([("Rechnungsnr.", 50), ("Rechnungsdatum", 200)], [("30064443", 50), ("7. Mai 2014", 200)])
    found = invoice_fields(page)
    assert (found["number"].value, found["date"].value) == ("30064443", "2014-05-07")


def test_a_value_in_another_column_is_not_taken():
    """The cell below must stand under the label: a number far to the right is someone else's."""
    page = laid_out([("N° facture", 50)], [("Client", 50), ("CL-99812", 400)])
    assert "number" not in invoice_fields(page)


def test_totals_header_row_balanced_by_the_arithmetic():
    page = laid_out([("TOTAL HT", 300), ("TOTAL TVA", 380), ("TOTAL TTC", 460)],
                    [("100,00", 300), ("8,00", 380), ("108,00", 460)])
    found = invoice_fields(page)
    assert {k: found[k].value for k in ("total_ht", "vat", "total_ttc")} == {"total_ht": "100.00", "vat": "8.00",
                                                                           "total_ttc": "108.00"}
    assert found["total_ttc"].confidence > 0.9  # HT + TVA = TTC


def _word(text: str, left: float, top: float, height: float = 9.0) -> tuple[str, tuple]:
    return text, (left, top, left + 5.5 * len(text), top + height)


def test_text_layer_rows_put_a_value_beside_its_label():
    """Written in any order, the words come back in rows; a label and its value across a wide gap
    stay one line, two columns of text do not."""
    words = [_word("30064443", 150, 306), _word("Rechnungsnr.", 54, 306), _word("Kundennr.", 54, 320),
             _word("Lieferant", 400, 320.5), _word("47774", 110, 320)]
    assert [" ".join(w[0] for w in line) for line in rows_of(words)] == ["Rechnungsnr. 30064443", "Kundennr. 47774",
                                                                         "Lieferant"]
