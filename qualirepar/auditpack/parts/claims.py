"""demandes_bonus.csv: the claims of the invoices issued during the period (cancelled ones left
out, as on the reimbursement control page), each with where its money stands
(`Claim.money_category`, the control page's rule), and their totals for the financial summary."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...billing.models import Invoice
from ...claims import payments
from ...claims import states as claim_states
from ...claims.models import Claim
from ...core import csvfr
from ...extensions import db
from ...repairs.models import RepairOrder
from ...shops.models import Shop
from ..archive import Part
from ..period import in_period
from .reading import batches

TOTALLED = ("count", "asked", "accepted", "paid", "due", "rejected")


def _add_totals(into: dict, rows: list[payments.ControlRow]) -> None:
    for t in payments.totals(rows):
        key = (t["organism"], t["month"])
        if key not in into:
            into[key] = t
        else:
            for k in TOTALLED:
                into[key][k] += t[k]


def claims(zf, shop: Shop, period_from, period_to, today: dt.date) -> tuple[Part, dict]:
    """The claims' file, and their totals by (organism, invoice month)."""
    name = "demandes_bonus.csv"
    late_after = shop.payment_late_days or 60
    query = (db.select(Claim, Invoice.number, Invoice.issued_on, RepairOrder.number)
             .join(Invoice, Claim.invoice_id == Invoice.id).join(RepairOrder, Claim.order_id == RepairOrder.id)
             .where(in_period(Invoice.issued_on, period_from, period_to), Claim.status != claim_states.CANCELLED)
             .order_by(Invoice.issued_on, Claim.id))
    header = [_("Organisme"), _("N° facture"), _("Date de la facture"), _("N° dossier"), _("Id. de la demande"), _("Statut"),
              _("Contrôle"), _("Bonus demandé"), _("Montant accepté"), _("Montant payé"), _("Payé le"), _("Écart"),
              _("Motif / message de l'organisme")]
    totals: dict = {}
    with zf.csv(name, header) as out:
        for batch in batches(query):
            rows = []
            for claim, invoice_number, issued_on, order_number in batch:
                category, age = claim.money_category(today, late_after)
                rows.append(payments.ControlRow(claim, invoice_number, issued_on, category, age, None))
                gap = (claim.bonus_amount - claim.amount_paid) if claim.amount_paid is not None else None
                out.row([claim.organism, invoice_number, csvfr.day(issued_on), order_number, claim.external_id or "",
                         claim.status_label, str(payments.CATEGORY_LABELS[category]), csvfr.amount(claim.bonus_amount),
                         csvfr.amount(claim.amount_accepted), csvfr.amount(claim.amount_paid), csvfr.day(claim.paid_on),
                         csvfr.amount(gap), claim.status_text or ""])
            _add_totals(totals, rows)
    return Part(name, out.rows, _("demandes de bonus des factures émises dans la période (hors demandes annulées)")), totals
