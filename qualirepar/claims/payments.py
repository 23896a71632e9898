"""Reimbursement control: the organisms' payments matched to the claims, and every euro accounted for.

Neither API publishes payments (contract §5): the shop downloads the statement of each transfer
from the organism's portal (the sandbox serves it at /_sandbox/payments/<reference>.csv) and
imports it here. Each line is matched to a claim by the organism's claim id, else by the invoice
number; importing the same statement twice adds nothing; a line that matches no claim is kept and
shown until it is explained.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Bundle

from ..audit import note
from ..billing.models import Invoice
from ..core import csvfr
from ..core.clock import paris_today
from ..core.money import AmountError, french_amount, french_decimal, parse_amount
from ..core.refusal import Refusal
from ..extensions import db
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import states
from .models import Claim, ClaimEvent, ClaimPayment
from .notify import claim_changed

STATEMENT_MAX_BYTES = 2 * 1024 * 1024
COLUMNS = {  # header in the statement -> our name; the organism's portals spell them several ways
    "organisme": "organism", "reference_paiement": "reference", "référence paiement": "reference",
    "date_paiement": "paid_on", "date paiement": "paid_on", "id_demande": "external_id", "n° demande": "external_id",
    "ordre_de_service": "service_order", "numero_facture": "invoice_number", "n° facture": "invoice_number",
    "montant": "amount",
}
REQUIRED = ("reference", "paid_on", "amount")
ORGANISM_NAMES = {"ecosystem": "ecosystem", "ecologic": "ecologic"}
BUCKETS = ((0, 30, _l("0 à 30 jours")), (31, 60, _l("31 à 60 jours")), (61, 90, _l("61 à 90 jours")),
           (91, None, _l("plus de 90 jours")))


class StatementError(Refusal):
    """The file cannot be read as a payment statement; the message says why, in French."""


@dataclass
class Line:
    number: int  # line in the file, for the messages
    organism: str
    reference: str
    paid_on: dt.date
    external_id: str | None
    invoice_number: str | None
    amount: Decimal


@dataclass
class ImportResult:
    matched: list[tuple[Line, Claim]] = field(default_factory=list)
    unmatched: list[Line] = field(default_factory=list)
    already: int = 0
    short: list[tuple[Claim, Decimal]] = field(default_factory=list)  # claims paid less than asked


def _amount(raw: str, number: int) -> Decimal:
    """The line's amount (core.money's parser), its refusal said with the line's number."""
    if french_decimal(raw) is None:
        raise StatementError(_("Ligne %(n)s : montant illisible « %(v)s ».", n=number, v=raw))
    try:
        value = parse_amount(raw)
    except AmountError:
        raise StatementError(_("Ligne %(n)s : montant hors limites « %(v)s ».", n=number, v=raw)) from None
    if value is None:
        raise StatementError(_("Ligne %(n)s : montant illisible « %(v)s ».", n=number, v=raw))
    return value


def _date(raw: str, number: int) -> dt.date:
    text = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatementError(_("Ligne %(n)s : date illisible « %(v)s » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).", n=number, v=raw))


def parse(data: bytes, default_organism: str | None = None) -> list[Line]:
    """The lines of a statement (CSV separated by ; or ,, UTF-8 or Latin-1), or a StatementError."""
    if not data:
        raise StatementError(_("Le fichier est vide."))
    if len(data) > STATEMENT_MAX_BYTES:
        raise StatementError(_("Fichier trop lourd : 2 Mo au plus pour un relevé."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [COLUMNS.get(h.strip().lower()) for h in next(reader)]
    except StopIteration:
        raise StatementError(_("Le fichier est vide.")) from None
    missing = [name for name in REQUIRED if name not in header]
    if missing or not ({"external_id", "invoice_number"} & set(header)):
        raise StatementError(_("Ce fichier n'est pas un relevé de paiement reconnu : il faut les colonnes reference_paiement, "
                               "date_paiement, montant, et id_demande ou numero_facture."))
    lines = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name}
        organism = (values.get("organism") or default_organism or "").lower()
        if organism not in ORGANISM_NAMES:
            raise StatementError(_("Ligne %(n)s : organisme inconnu « %(v)s » (ecosystem ou ecologic).", n=number, v=values.get("organism", "")))
        if not values.get("reference"):
            raise StatementError(_("Ligne %(n)s : référence de paiement absente.", n=number))
        lines.append(Line(number, organism, values["reference"][:60], _date(values.get("paid_on", ""), number),
                          values.get("external_id") or None, values.get("invoice_number") or None,
                          _amount(values.get("amount", ""), number)))
    if not lines:
        raise StatementError(_("Le relevé ne contient aucune ligne de paiement."))
    return lines


def _find(line: Line) -> Claim | None:
    if line.external_id:
        claim = db.session.execute(db.select(Claim).where(Claim.organism == line.organism, Claim.external_id == line.external_id)).scalar_one_or_none()
        if claim is not None:
            return claim
    if line.invoice_number:
        return db.session.execute(db.select(Claim).join(Invoice, Claim.invoice_id == Invoice.id)
                                  .where(Claim.organism == line.organism, Invoice.number == line.invoice_number)).scalar_one_or_none()
    return None


def _exists(line: Line) -> bool:
    query = db.select(ClaimPayment.id).where(ClaimPayment.organism == line.organism, ClaimPayment.reference == line.reference)
    query = query.where(ClaimPayment.external_id == line.external_id) if line.external_id else query.where(ClaimPayment.external_id.is_(None))
    query = query.where(ClaimPayment.invoice_number == line.invoice_number) if line.invoice_number else query.where(ClaimPayment.invoice_number.is_(None))
    return db.session.execute(query.limit(1)).first() is not None


def settle(claim: Claim) -> None:
    """The claim's paid amount and date from its payment lines; paid once money came in."""
    rows = db.session.execute(db.select(ClaimPayment).where(ClaimPayment.claim_id == claim.id)).scalars().all()
    claim.amount_paid = sum((r.amount for r in rows), Decimal("0.00")) if rows else None
    claim.paid_on = max((r.paid_on for r in rows), default=None)
    if rows and states.can(claim.status, "settle"):
        claim.move("settle", _("Paiement reçu : %(a)s € (%(r)s)", a=french_amount(claim.amount_paid),
                                    r=", ".join(sorted({r.reference for r in rows}))))


def import_statement(lines: list[Line], source: str) -> ImportResult:
    """Record the lines (all of them or none), match them, and mark the claims paid."""
    result = ImportResult()
    touched: dict[int, Claim] = {}
    try:
        for line in lines:
            if _exists(line):
                result.already += 1
                continue
            claim = _find(line)
            db.session.add(ClaimPayment(claim_id=claim.id if claim else None, organism=line.organism, reference=line.reference,
                                        paid_on=line.paid_on, external_id=line.external_id, invoice_number=line.invoice_number,
                                        amount=line.amount, source=source[:120],
                                        imported_by=current_user.id if current_user and current_user.is_authenticated else None))
            if claim is None:
                result.unmatched.append(line)
            else:
                result.matched.append((line, claim))
                touched[claim.id] = claim
        db.session.flush()
        for claim in touched.values():
            settle(claim)
            if claim.amount_paid is not None and claim.amount_paid < claim.bonus_amount:
                result.short.append((claim, claim.bonus_amount - claim.amount_paid))
        note(db.session.get(Shop, current_shop_id()), "payments_imported",
             {"statement": (None, {"source": source, "lines": len(lines), "matched": len(result.matched)})})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.matched:
        for claim in touched.values():
            claim_changed(claim, _("Demande payée : %(a)s € reçus", a=french_amount(claim.amount_paid)))
    return result


def link(payment_id: int, claim_id: int) -> Claim:
    """Match by hand a line the import could not match."""
    row = db.get_or_404(ClaimPayment, payment_id)
    claim = db.get_or_404(Claim, claim_id)
    if row.organism != claim.organism:
        raise StatementError(_("Ce paiement vient de %(a)s, la demande est chez %(b)s.", a=row.organism, b=claim.organism))
    row.claim_id = claim.id
    db.session.flush()
    settle(claim)
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                              text=_("Paiement %(r)s rapproché à la main", r=row.reference)))
    db.session.commit()
    return claim


# --- the control ------------------------------------------------------------------------------


@dataclass
class ControlRow:
    claim: Claim
    invoice_number: str
    issued_on: dt.date
    category: str  # paid, short, late, unpaid, rejected, waiting
    age_days: int | None  # days since sent, for the unpaid ones
    bucket: int | None  # index in BUCKETS


CATEGORY_LABELS = {"paid": _l("payée"), "short": _l("payée en partie"), "late": _l("en retard"), "unpaid": _l("non payée"),
                   "rejected": _l("refusée"), "waiting": _l("pas encore envoyée")}


def _bucket(days: int) -> int:
    for index, (low, high, _label) in enumerate(BUCKETS):
        if days >= low and (high is None or days <= high):
            return index
    return len(BUCKETS) - 1


def control(today: dt.date | None = None, organism: str | None = None, sent_unpaid: bool = False) -> list[ControlRow]:
    """Every claim of the shop, with where its money stands (cancelled ones left out).

    With `sent_unpaid`, only those sent and neither paid nor refused: the late and unpaid ones, the
    only ones `ageing` counts; each row's claim is then a light row of the columns the control
    reads (id, organism, status, bonus_amount, amount_paid, submitted_at), not the ORM object."""
    today = today or paris_today()
    shop = db.session.get(Shop, current_shop_id())
    late_after = shop.payment_late_days or 60
    read = Bundle("claim", Claim.id, Claim.organism, Claim.status, Claim.bonus_amount, Claim.amount_paid, Claim.submitted_at) \
        if sent_unpaid else Claim
    query = db.select(read, Invoice.number, Invoice.issued_on).join(Invoice, Claim.invoice_id == Invoice.id) \
        .where(Claim.status != states.CANCELLED).order_by(Invoice.issued_on, Claim.id)
    if organism:
        query = query.where(Claim.organism == organism)
    if sent_unpaid:
        query = query.where(Claim.amount_paid.is_(None), Claim.status != states.REJECTED, Claim.submitted_at.isnot(None))
    rows = []
    for claim, number, issued_on in db.session.execute(query).all():
        category, age = states.money_category(claim, today, late_after)
        bucket = _bucket(age) if age is not None else None
        rows.append(ControlRow(claim, number, issued_on, category, age, bucket))
    return rows


def totals(rows: list[ControlRow]) -> list[dict]:
    """Per organism and month of the invoice: asked, accepted, paid, still due."""
    table: dict[tuple[str, str], dict] = {}
    zero = Decimal("0.00")
    for r in rows:
        key = (r.claim.organism, r.issued_on.strftime("%Y-%m"))
        t = table.setdefault(key, {"organism": key[0], "month": key[1], "count": 0, "asked": zero, "accepted": zero,
                                   "paid": zero, "due": zero, "rejected": zero})
        t["count"] += 1
        t["asked"] += r.claim.bonus_amount
        if r.category == "rejected":
            t["rejected"] += r.claim.bonus_amount
            continue
        if r.claim.status in states.GRANTED or r.claim.amount_paid is not None:
            t["accepted"] += r.claim.amount_accepted if r.claim.amount_accepted is not None else r.claim.bonus_amount
        t["paid"] += r.claim.amount_paid or zero
        t["due"] += max(r.claim.bonus_amount - (r.claim.amount_paid or zero), zero)
    return [table[k] for k in sorted(table, key=lambda k: (k[1], k[0]), reverse=True)]


def ageing(rows: list[ControlRow]) -> list[dict]:
    """Claims sent and not paid, by age since sending: how many and how much."""
    out = [{"label": str(label), "count": 0, "amount": Decimal("0.00")} for _low, _high, label in BUCKETS]
    for r in rows:
        if r.bucket is not None:
            out[r.bucket]["count"] += 1
            out[r.bucket]["amount"] += r.claim.bonus_amount
    return out


def export_csv(rows: list[ControlRow]) -> str:
    """The control as a French CSV (core.csvfr's separator and line ends; the BOM is the response's)."""
    out = io.StringIO()
    writer = csvfr.writer(out)
    writer.writerow(["organisme", "facture", "date_facture", "id_demande", "statut", "controle", "bonus_demande",
                     "montant_accepte", "montant_paye", "date_paiement", "ecart", "jours_depuis_envoi"])
    money = csvfr.amount

    for r in rows:
        c = r.claim
        gap = (c.bonus_amount - c.amount_paid) if c.amount_paid is not None else None
        writer.writerow([c.organism, r.invoice_number, r.issued_on.isoformat(), c.external_id or "", c.status_label,
                         str(CATEGORY_LABELS[r.category]), money(c.bonus_amount), money(c.amount_accepted), money(c.amount_paid),
                         c.paid_on.isoformat() if c.paid_on else "", money(gap), "" if r.age_days is None else r.age_days])
    return out.getvalue()


def unmatched() -> list[ClaimPayment]:
    return db.session.execute(db.select(ClaimPayment).where(ClaimPayment.claim_id.is_(None)).order_by(ClaimPayment.id)).scalars().all()
