"""The kinds of entries of the fiscal journal (issue 19): business records, closings and the
technical events an NF525-style journal of technical events (JET) traces. String constants, stored."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusal import Refusal

INVOICE, CREDIT_NOTE, PAYMENT, REVERSAL, DEPOSIT = "invoice", "credit_note", "payment", "reversal", "deposit"
CLOSING_DAY, CLOSING_MONTH, CLOSING_YEAR, ARCHIVE = "closing_day", "closing_month", "closing_year", "archive"
DUPLICATE, VERSION_CHANGE, RIGHTS_CHANGE, TAX_EXPORT = "duplicate", "version_change", "rights_change", "tax_export"
INTEGRITY_FAILED, CLOCK_CHANGE = "integrity_failed", "clock_change"

ALL = (INVOICE, CREDIT_NOTE, PAYMENT, REVERSAL, DEPOSIT, CLOSING_DAY, CLOSING_MONTH, CLOSING_YEAR, ARCHIVE,
       DUPLICATE, VERSION_CHANGE, RIGHTS_CHANGE, TAX_EXPORT, INTEGRITY_FAILED, CLOCK_CHANGE)
CLOSINGS = (CLOSING_DAY, CLOSING_MONTH, CLOSING_YEAR)
#: entries that may be written whatever the closed period: closings, archives and the technical events
OUTSIDE_PERIODS = (*CLOSINGS, ARCHIVE, DUPLICATE, VERSION_CHANGE, RIGHTS_CHANGE, TAX_EXPORT, INTEGRITY_FAILED,
                   CLOCK_CHANGE)

LABELS = {
    INVOICE: _l("Facture"), CREDIT_NOTE: _l("Avoir"), PAYMENT: _l("Encaissement"), REVERSAL: _l("Annulation d'encaissement"),
    DEPOSIT: _l("Acompte"), CLOSING_DAY: _l("Clôture journalière"), CLOSING_MONTH: _l("Clôture mensuelle"),
    CLOSING_YEAR: _l("Clôture annuelle"), ARCHIVE: _l("Archive"), DUPLICATE: _l("Duplicata"),
    VERSION_CHANGE: _l("Changement de version du logiciel"), RIGHTS_CHANGE: _l("Changement de droits d'un utilisateur"),
    TAX_EXPORT: _l("Export pour l'administration fiscale"), INTEGRITY_FAILED: _l("Contrôle d'intégrité en échec"),
    CLOCK_CHANGE: _l("Horloge du serveur reculée"),
}

#: verification results (FiscalCheck.status)
CHECK_OK, CHECK_BROKEN = "ok", "broken"


class FiscalRefusal(Refusal):
    """A fiscal rule refused the operation (the message, in French)."""


class ClosedPeriod(FiscalRefusal):
    """A record dated in a period already closed (BOI-TVA-DECLA-30-10-30 II, conservation: a closed period
    accepts no new record)."""


class Unalterable(FiscalRefusal):
    """An insert-only record was about to be changed or removed."""
