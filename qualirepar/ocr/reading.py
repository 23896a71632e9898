"""What reading a document gives: its pages, each with its text and its words' OCR confidence.

Pure data, shared by the reader (PDF text layers, images) and Tesseract, and read by the field
extraction."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    text: str
    conf: float  # 0..100 (text layer: 100)
    box: tuple[float, float, float, float] | None = None  # left, top, right, bottom from the page's top left (None: unknown)


@dataclass
class Page:
    text: str
    words: list[Word]
    method: str  # "text" (PDF text layer) or "ocr"
    seconds: float
    rotated: int = 0  # clockwise degrees turned by orientation detection
    mean_conf: float = field(default=100.0, repr=False)


@dataclass
class Reading:
    pages: list[Page]

    @property
    def text(self) -> str:
        return "\n\f\n".join(p.text for p in self.pages)
