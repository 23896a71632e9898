"""Before a claim leaves: the invoice attached to it, as read, against the claim. The organism
compares the same things (number, date, total, bonus) and rejects on a difference (reasons 06, 07,
08, 09, 13 of ecosystem's list); the shop sees it first.

A difference blocks the sending unless a support user or the owner overrides it with a written
reason (audited, and tied to that file: a replaced invoice is checked again). A field that could
not be read is said, not counted as a difference. Without Tesseract a scanned invoice cannot be
read: the check is marked not done and the claim goes on.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import note
from ..billing.models import Invoice
from ..claims.models import ClaimEvent
from ..core.clock import utcnow
from ..core.money import cents, french_amount
from ..core.refusal import Refusal
from ..extensions import db
from . import services
from .models import OcrDocument

LABELS = {"number": _l("numéro de facture"), "date": _l("date"), "total_ttc": _l("total TTC"), "bonus": _l("bonus déduit")}


SURE = 0.5  # a value read with less confidence is shown, never blocks


@dataclass
class Difference:
    field: str
    ours: str
    read: str | None  # None: not found on the document
    source: str = ""
    sure: bool = True

    @property
    def label(self) -> str:
        return str(LABELS[self.field])


MISMATCH = "mismatch"  # the verdict that blocks the sending


@dataclass
class Verdict:
    status: str  # ok, mismatch, unread (fields not found), unavailable, failed, none (no invoice attached)
    differences: list[Difference]
    document: OcrDocument | None = None

    @property
    def blocking(self) -> bool:
        return self.status == MISMATCH

    def summary(self) -> str:
        wrong = [d for d in self.differences if d.read is not None]
        return "; ".join(_("%(f)s : %(o)s sur la demande, %(r)s sur la facture", f=d.label, o=d.ours, r=d.read) for d in wrong)


def _norm_number(value: str) -> str:
    return re.sub(r"[\s\-_/.]", "", value or "").upper()


def _money(value) -> Decimal | None:
    try:
        return cents(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _fr(amount: Decimal) -> str:
    return french_amount(amount) + " €"  # as in the messages already in the audit log: not Babel's spaces


def compare(expected: dict, doc: OcrDocument) -> list[Difference]:
    """expected: number (str), date (date), total_ttc and bonus (Decimal)."""
    out = []
    fields = doc.fields or {}

    def got(name):
        item = fields.get(name)
        if not item:
            return None, "", True
        source = item.get("source") or ""
        if "page" in item:  # an e-invoice whose page says otherwise: doubtful (its confidence is under SURE)
            source = _("%(s)s ; la page dit %(p)s", s=source, p=item["page"] or _("autre chose"))
        return item.get("value"), source, float(item.get("confidence") or 0) >= SURE

    value, source, sure = got("number")
    if value is None or _norm_number(value) != _norm_number(expected["number"]):
        out.append(Difference("number", expected["number"], value, source, sure))
    value, source, sure = got("date")
    day = None
    if value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day != expected["date"]:
        out.append(Difference("date", expected["date"].strftime("%d/%m/%Y"), day.strftime("%d/%m/%Y") if day else None, source, sure))
    for name in ("total_ttc", "bonus"):
        value, source, sure = got(name)
        amount = _money(value) if value is not None else None
        if amount != expected[name]:
            out.append(Difference(name, _fr(expected[name]), _fr(amount) if amount is not None else None, source, sure))
    return out


def expected_of(claim) -> dict:
    invoice = db.session.get(Invoice, claim.invoice_id)
    return {"number": invoice.number, "date": invoice.issued_on, "total_ttc": cents(invoice.total_ttc),
            "bonus": cents(claim.bonus_amount)}


def verdict(claim, read_now: bool = False) -> Verdict:
    """The check of the claim's attached invoice; `read_now` reads it if it never was (the job)."""
    file_id = (claim.attachments or {}).get("invoice")
    if not file_id:
        return Verdict("none", [])
    doc = services.reading_of(file_id) if read_now else services.latest_for_file(file_id, "invoice")
    if doc is None or doc.running:
        return Verdict("pending", [], doc)
    if doc.status in (OcrDocument.UNAVAILABLE, OcrDocument.FAILED):
        return Verdict(doc.status, [], doc)
    differences = compare(expected_of(claim), doc)
    if any(d.read is not None and d.sure for d in differences):  # a value read with doubt is shown, it does not block
        return Verdict("mismatch", differences, doc)
    return Verdict("unread" if differences else "ok", differences, doc)


def overridden(claim) -> bool:
    """A written override stands for the invoice file it was given for."""
    o = claim.ocr_override or {}
    return bool(o) and o.get("file_id") == (claim.attachments or {}).get("invoice")


class OverrideRefused(Refusal):
    pass


def override(claim, reason: str, user) -> None:
    """Send anyway: a support user or the owner writes why (audited)."""
    reason = (reason or "").strip()
    if user.role not in ("support", "owner"):
        raise OverrideRefused(_("Seuls le support et le gérant peuvent passer outre le contrôle de la facture."))
    if len(reason) < 10:
        raise OverrideRefused(_("Expliquez en une phrase pourquoi la demande peut partir malgré la différence (10 caractères au moins)."))
    claim.ocr_override = {"file_id": (claim.attachments or {}).get("invoice"), "reason": reason[:500], "user_id": user.id,
                          "at": utcnow().isoformat(timespec="seconds")}
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                              text=_("Contrôle de la facture passé outre par %(u)s : %(r)s", u=user.display_name, r=reason[:500])))
    note(claim, "ocr_override", {"ocr_override": (None, claim.ocr_override)})
    db.session.commit()
