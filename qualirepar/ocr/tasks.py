"""The OCR's job: read one document row (its progress and result are written on the row)."""
from __future__ import annotations

from flask import g

from ..extensions import db
from ..tenancy import as_shop
from .models import OcrDocument
from .services import read

SCHEDULE: list = []  # nothing periodic: a document is read when it is uploaded


def read_document(shop_id: int, doc_id: int) -> str:
    g.actor = "lecture automatique"
    with as_shop(shop_id):
        doc = db.session.get(OcrDocument, doc_id)
        if doc is None:
            return "absent"
        read(doc)
        return doc.status
