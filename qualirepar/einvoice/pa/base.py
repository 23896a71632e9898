"""What every plateforme agréée client offers, whatever the PA: `submit(file, meta) -> ref`, then
`status(ref) -> Lifecycle`. The same shape as the eco-organism clients (`eco/base.py`).

Lifecycle statuses are those of the DGFiP's invoice life cycle (spécifications externes de la
facturation électronique, statuts « Déposée », « Rejetée », « Refusée », « Encaissée »); a PA that
says more maps onto these.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l

DEPOSEE = "deposee"  # accepted by the PA, on its way to the buyer (or the administration for an e-report)
REJETEE = "rejetee"  # refused by the PA's controls (format, rules): to be fixed and sent again
REFUSEE = "refusee"  # refused by the buyer after receiving it
ENCAISSEE = "encaissee"  # paid (the seller's status, mandatory for services with VAT on receipts)
LIFECYCLE = {DEPOSEE: _l("déposée"), REJETEE: _l("rejetée"), REFUSEE: _l("refusée"), ENCAISSEE: _l("encaissée")}
FINAL = frozenset({REJETEE, REFUSEE, ENCAISSEE})  # nothing more will come from the PA

INVOICE, EREPORT = "invoice", "ereport"  # what is sent: an e-invoice (B2B) or e-reporting data (B2C)


@dataclass(frozen=True)
class Lifecycle:
    status: str  # a key of LIFECYCLE
    reason: str | None = None  # why it was rejected or refused, in French, as the PA says it
    at: dt.datetime | None = None
    history: list[dict] = field(default_factory=list)  # the PA's own events, when it gives them


@dataclass(frozen=True)
class Meta:
    """What goes with a file: an idempotency key (the same key twice is one deposit at the PA)."""

    key: str  # e.g. "shop-3:invoice:17": unique per shop and subject
    kind: str  # INVOICE or EREPORT
    filename: str
    shop_id: int
    number: str | None = None  # the invoice's number, or the e-report's period
    seller_siren: str | None = None
    buyer_siren: str | None = None


class PAError(Exception):
    """The PA did not answer, or answered with an error that may pass (5xx, timeout): try again later."""


class PAProvider(ABC):
    """One plateforme agréée."""

    name: str = ""

    @abstractmethod
    def submit(self, data: bytes, meta: Meta) -> str:
        """Deposit the file; its reference at the PA. Same `meta.key` twice: the same reference."""

    @abstractmethod
    def status(self, ref: str) -> Lifecycle:
        """Where the deposit stands now."""

    @abstractmethod
    def report_paid(self, ref: str, meta: Meta, paid_on: dt.date, amount: Decimal) -> Lifecycle:
        """The seller's «Encaissée» status: the invoice was paid (mandatory for services whose VAT is due
        on receipt, optional otherwise; spécifications externes, cycle de vie)."""
