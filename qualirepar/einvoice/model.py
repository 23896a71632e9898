"""What an e-invoice says, as read from its XML: the EN 16931 business terms the shop needs.

Pure data. Amounts are Decimal as written in the XML (never rounded again: they are exact), dates
`datetime.date`. The business-term number of each field (BT-xx, EN 16931-1) is beside it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

CII, UBL = "CII", "UBL"  # UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD 2) or OASIS UBL 2.1
INVOICE, CREDIT_NOTE = "380", "381"  # BT-3, UNTDID 1001


@dataclass(frozen=True)
class Party:
    name: str | None = None  # BT-27 (seller) / BT-44 (buyer)
    siret: str | None = None  # BT-30 with scheme 0002 (SIRENE) or 0009 (SIRET), 14 digits
    siren: str | None = None  # the SIRET's first 9 digits, or BT-30 of 9 digits
    legal_id: str | None = None  # BT-30 as written, whatever its scheme
    vat_number: str | None = None  # BT-31


@dataclass(frozen=True)
class InvoiceLine:
    name: str | None  # BT-153
    quantity: Decimal | None  # BT-129
    unit_price: Decimal | None  # BT-146 (net price)
    net: Decimal | None  # BT-131
    vat_rate: Decimal | None  # BT-152
    reference: str | None = None  # BT-155 (the seller's item identifier: a supplier's part reference)


@dataclass
class EInvoice:
    syntax: str  # CII or UBL
    profile: str | None  # BT-24 (the specification identifier: Factur-X level, XRechnung...)
    number: str | None  # BT-1
    issue_date: dt.date | None  # BT-2
    type_code: str | None  # BT-3: 380 invoice, 381 credit note...
    currency: str | None  # BT-5
    line_total: Decimal | None = None  # BT-106
    total_ht: Decimal | None = None  # BT-109
    total_vat: Decimal | None = None  # BT-110 (in the invoice currency)
    total_ttc: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None  # BT-113
    amount_due: Decimal | None = None  # BT-115
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    lines: list[InvoiceLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # BT-22 and the allowances' reasons (BT-97)

    @property
    def credit_note(self) -> bool:
        return self.type_code in (CREDIT_NOTE, "261", "381", "396", "532")  # UNTDID 1001 credit codes

    @property
    def level(self) -> str | None:
        """The Factur-X profile's short name (minimum, basicwl, basic, en16931, extended), if it is one."""
        p = (self.profile or "").lower()
        for name in ("extended", "basicwl", "basic", "minimum"):
            if name in p:
                return name
        return "en16931" if "en16931" in p else None
