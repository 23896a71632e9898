"""Where a label's value stands in two dimensions: in the cell below it (a table's header row,
«N° facture» over «F2024-001», «TOTAL TTC» over «108,00»), using the boxes of the words (the PDF
text layer's characters, Tesseract's words). Lines without boxes have no cell below."""
from __future__ import annotations

from .lines import Line

ROWS = 3  # how many line heights below a label its value may stand


def _overlap(a: tuple, b: tuple) -> float:
    return min(a[2], b[2]) - max(a[0], b[0])


def cells_below(lines: list[Line], line: Line, start: int, end: int, rows: int = ROWS) -> list[tuple[Line, int, int]]:
    """(line, start, end) of the tokens standing under text[start:end] of `line`, nearest row first:
    tokens whose box overlaps the label's column (or ends where it ends: amounts aligned right)."""
    label = line.box_of(start, end)
    if label is None:
        return []
    height = max(label[3] - label[1], 1.0)
    found = []
    for other in lines:
        if other.page != line.page or other is line or not other.boxes:
            continue
        spans = []
        for (s, e), box in zip(other.tokens(), other.boxes):
            if box is None or box[1] < label[3] - 0.3 * height or box[1] - label[3] > rows * 1.6 * height:
                continue
            if _overlap(label, box) > 0 or abs(box[2] - label[2]) < height:
                spans.append((s, e, box[1]))
        if spans:
            found.append((min(t for _, _, t in spans), other, spans[0][0], spans[-1][1]))
    found.sort(key=lambda f: f[0])
    return [(other, s, e) for _, other, s, e in found]
