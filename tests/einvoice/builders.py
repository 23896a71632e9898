"""Invoices as the writer sees them (the row's attributes, unsaved), for the XML tests without a database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from qualirepar.billing.quotes import totals
from qualirepar.core.money import line_total

DAY = dt.date(2026, 12, 4)
SELLER = {"name": "Atelier Réparons Lyon", "siret": "73282932000074", "vat_number": "FR44732829320", "label_number": "QR-2024-0042",
          "address": ["3 rue de la République", "69001 Lyon"], "phone": "04 78 00 00 00", "email": "atelier@exemple.fr"}
PRIVATE = {"kind": "private", "title": "Mme", "last_name": "Martin", "first_name": "Léa", "street": "1 rue X", "postcode": "69003",
           "city": "Lyon", "email": "lea@exemple.fr"}
BUSINESS = {**PRIVATE, "kind": "business", "company": "Laverie du Parc SARL", "siren": "552100554", "siret": "55210055400013",
            "vat_number": "FR96552100554", "po_reference": "BC-2026-117",
            "billing": {"street": "10 avenue des Comptes", "postcode": "75008", "city": "Paris"}}
WASHING_MACHINE = [("diagnosis", "Diagnostic", "1", "40.00", "20"), ("labour", "Main-d'œuvre", "1.5", "50.00", "20"),
                   ("part", "Pompe de vidange", "1", "35.00", "20")]


def line(position, kind, label, qty, price, rate, origin="new"):
    q, p = Decimal(qty), Decimal(price)
    return SimpleNamespace(position=position, kind=kind, label=label, quantity=q, unit_price=p, vat_rate=Decimal(rate),
                           total_ht=line_total(q, p), part_reference="REF-1" if kind == "part" else None,
                           part_origin=origin if kind == "part" else None)


def invoice(rows=WASHING_MACHINE, buyer=PRIVATE, bonus="50.00", organism="ecologic", onsite=False, seller=SELLER, number="F2026-00001"):
    lines = [line(i, *row) for i, row in enumerate(rows)]
    t = totals(lines)
    bonus = Decimal(bonus)
    inv = SimpleNamespace(
        number=number, kind="invoice", issued_on=DAY, seller=seller, buyer=buyer,
        appliance={"product": "Lave-linge", "brand": "Bosch", "model": "WAN28", "serial": "WM-778899", "order": "D-2026-00012",
                   "onsite": onsite, "repaired_on": DAY.isoformat()},
        vat_breakdown=[{k: str(v) for k, v in row.items()} for row in t.breakdown],
        total_ht=t.ht, total_vat=t.vat, total_ttc=t.ttc, bonus_amount=bonus, bonus_organism=organism if bonus else None,
        amount_due=t.ttc - bonus)
    return inv, lines


def credit_note(inv, lines, number="F2026-00002"):
    """What billing.invoices.credit makes of `inv`: the same amounts, negative."""
    note = SimpleNamespace(**{**vars(inv), "number": number, "kind": "credit_note",
                              "appliance": {**inv.appliance, "reason": "Erreur de facturation"},
                              "vat_breakdown": [{"rate": r["rate"], "base": str(-Decimal(r["base"])), "vat": str(-Decimal(r["vat"]))}
                                                for r in inv.vat_breakdown],
                              "total_ht": -inv.total_ht, "total_vat": -inv.total_vat, "total_ttc": -inv.total_ttc,
                              "bonus_amount": -inv.bonus_amount, "amount_due": -inv.amount_due})
    negative = [SimpleNamespace(**{**vars(ln), "quantity": -ln.quantity, "total_ht": -ln.total_ht}) for ln in lines]
    return note, negative
