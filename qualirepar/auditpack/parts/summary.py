"""synthese_financiere.csv: the claims' totals per organism and invoice month (`claims.claims` adds them up)."""
from __future__ import annotations

from flask_babel import gettext as _

from ...core import csvfr
from ..archive import Part


def financial_summary(zf, totals: dict) -> Part:
    name = "synthese_financiere.csv"
    header = [_("Organisme"), _("Mois de facture"), _("Demandes"), _("Bonus demandé"), _("Accepté"), _("Payé"), _("Reste dû"),
              _("Refusé")]
    with zf.csv(name, header) as out:
        for key in sorted(totals, key=lambda k: (k[1], k[0])):
            t = totals[key]
            year, month = t["month"].split("-")
            out.row([t["organism"], f"{month}/{year}", t["count"], csvfr.amount(t["asked"]), csvfr.amount(t["accepted"]),
                     csvfr.amount(t["paid"]), csvfr.amount(t["due"]), csvfr.amount(t["rejected"])])
    return Part(name, out.rows, _("totaux par organisme et mois de facture des demandes ci-dessus"))
