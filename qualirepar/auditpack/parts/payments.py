"""paiements.csv: the organisms' payments received (paid on) during the period, from the imported
statements, with the claim each was matched to."""
from __future__ import annotations

from flask_babel import gettext as _

from ...billing.models import Invoice
from ...claims.models import Claim, ClaimPayment
from ...core import csvfr
from ...extensions import db
from ...repairs.models import RepairOrder
from ..archive import Part
from ..period import in_period
from .reading import batches


def received_payments(zf, period_from, period_to) -> Part:
    name = "paiements.csv"
    query = (db.select(ClaimPayment, Invoice.number, RepairOrder.number)
             .outerjoin(Claim, ClaimPayment.claim_id == Claim.id)
             .outerjoin(Invoice, Claim.invoice_id == Invoice.id)
             .outerjoin(RepairOrder, Claim.order_id == RepairOrder.id)
             .where(in_period(ClaimPayment.paid_on, period_from, period_to))
             .order_by(ClaimPayment.paid_on, ClaimPayment.id))
    header = [_("Organisme"), _("Référence du paiement"), _("Payé le"), _("Id. de la demande"), _("N° facture (relevé)"),
              _("Montant"), _("Demande rapprochée : facture"), _("Demande rapprochée : dossier"), _("Source"), _("Importé le")]
    with zf.csv(name, header) as out:
        for batch in batches(query):
            for p, invoice_number, order_number in batch:
                out.row([p.organism, p.reference, csvfr.day(p.paid_on), p.external_id or "", p.invoice_number or "",
                         csvfr.amount(p.amount), invoice_number or _("non rapprochée"), order_number or "", p.source,
                         csvfr.moment(p.imported_at)])
    return Part(name, out.rows, _("paiements des organismes reçus dans la période (relevés importés)"))
