"""The Z report: the daily closing printed (PDF, WeasyPrint) — the shop's identity, the day, the
journal's sequence numbers it covers, the totals by VAT rate and by payment method, the perpetual
grand totals, and the closing entry's hash and signature (shortened: the full ones are in the
journal and the archives)."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from weasyprint import HTML

from ..core.clock import utcnow
from ..extensions import db
from ..shops.models import Shop
from . import kinds
from .closing_models import FiscalClosing
from .models import FiscalEntry
from .version import software_version

#: the counter's payment methods, labelled as on the invoice page (billing.forms.METHOD_LABELS)
METHODS = {"cash": _l("Espèces"), "card": _l("Carte bancaire"), "cheque": _l("Chèque"), "transfer": _l("Virement")}


def short(value: str | None, head: int = 16, tail: int = 8) -> str:
    """A hash or a signature as a person reads it: its start and its end."""
    if not value or len(value) <= head + tail + 1:
        return value or ""
    return f"{value[:head]}…{value[-tail:]}"


def entry_of(closing: FiscalClosing) -> FiscalEntry:
    return db.session.execute(db.select(FiscalEntry).where(FiscalEntry.shop_id == closing.shop_id,
                                                          FiscalEntry.seq == closing.entry_seq)).scalar_one()


def render_zreport(closing: FiscalClosing) -> bytes:
    entry = entry_of(closing)
    html = render_template("fiscal/zreport_pdf.html", closing=closing, entry=entry, shop=db.session.get(Shop, closing.shop_id),
                           t=closing.totals, grand=closing.grand_totals.get("all") or {}, kind_label=kinds.LABELS[closing.kind],
                           kinds=kinds, short=short, printed_at=utcnow(), version=software_version(), methods=METHODS)
    return HTML(string=html).write_pdf()
