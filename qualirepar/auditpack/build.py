"""The audit pack: for a period, one zip with what a QualiRépar auditor asks to see, the parts
(`parts/`) written one after the other.

What is in the period:
- intake register, bons, controls: the orders whose intake date (date de prise en charge) is in it;
- returns within 3 months: the returns whose own intake date is in it (the repair they return may
  be older);
- complaints: received in it; claims: of the invoices issued in it (cancelled claims left out, as
  on the reimbursement control page); payments: received (paid on) in it.

The CSV files follow the French conventions of `core.csvfr` (`;`, UTF-8 with a BOM, decimal
comma, dates JJ/MM/AAAA, times in Europe/Paris), as the other exports do.
"""
from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
import zipfile
from typing import IO, Callable

from ..core.clock import paris_time, utcnow
from ..core.csvfr import BOM
from ..extensions import db
from ..shops.models import Shop
from ..tenancy import current_shop_id
from .archive import Summary, Zip
from .parts import readme
from .parts.bons import bons
from .parts.claims import claims
from .parts.complaints import complaints
from .parts.controls import controls
from .parts.intake import intake_register
from .parts.payments import received_payments
from .parts.reading import Names
from .parts.returns import set_aside_returns, warranty_returns
from .parts.summary import financial_summary
from .period import check_period


def build(period_from: dt.date, period_to: dt.date, out: IO[bytes], *, include_bons: bool = True, generated_by: str = "",
          now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Write the audit pack of the current shop for the period (both ends included) into `out`."""
    shop_id = current_shop_id()
    if shop_id is None:
        raise RuntimeError("the audit pack is built as one shop (tenancy.as_shop or a logged-in request)")
    check_period(period_from, period_to)
    started = time.perf_counter()
    shop = db.session.get(Shop, shop_id)
    generated_at = paris_time(now or utcnow())
    today = generated_at.date()
    names = Names()
    summary = Summary(bons_included=include_bons)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        zf = Zip(archive, generated_at)
        summary.parts.append(intake_register(zf, names, period_from, period_to))
        summary.parts.extend(controls(zf, names, period_from, period_to))
        summary.parts.append(warranty_returns(zf, names, period_from, period_to))
        summary.parts.append(set_aside_returns(zf, names, period_from, period_to))
        summary.parts.append(complaints(zf, period_from, period_to, today))
        claims_part, totals = claims(zf, shop, period_from, period_to, today)
        summary.parts.append(claims_part)
        summary.parts.append(received_payments(zf, period_from, period_to))
        summary.parts.append(financial_summary(zf, totals))
        if include_bons:
            bons(zf, summary, period_from, period_to, progress)
        zf.writestr(readme.NAME, BOM + readme.readme(shop, period_from, period_to, generated_at, generated_by, summary))
    summary.seconds = time.perf_counter() - started
    return summary


def audit_changes(summary: Summary, period_from: dt.date, period_to: dt.date) -> dict:
    """What the audit log keeps of a pack, downloaded or built by a worker."""
    return {
        "period": (None, f"{period_from.isoformat()} / {period_to.isoformat()}"),
        "files": (None, {part.name: part.rows for part in summary.parts}),
        "bons": (None, summary.bons_copied + summary.bons_rendered if summary.bons_included else None),
    }


def slug(text: str) -> str:
    """The shop's name as a file name's part: 'Répar'Tout Lyon' -> 'repar-tout-lyon'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text).split())[:60] or "boutique"


def filename(shop: Shop, period_from: dt.date, period_to: dt.date) -> str:
    return f"dossier-audit-{slug(shop.name)}-{period_from.isoformat()}-{period_to.isoformat()}.zip"
