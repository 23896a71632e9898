"""The names billing offered before it was split by what it handles (quotes, invoices and credit
notes, counter payments), for the callers not moved yet. New code imports the module itself."""
from __future__ import annotations

from ..catalog import eligibility  # noqa: F401
from ..core.clock import paris_today  # noqa: F401
from ..core.money import line_total  # noqa: F401
from ..repairs.services import hand_back_guard  # noqa: F401
from .invoices import (PDF_MAX_BYTES, credit, invoice_bonus, issue_invoice, record_external_invoice,  # noqa: F401
                       render_invoice_pdf)
from .payments import PAYMENT_METHODS, balance, paid, record_payment  # noqa: F401
from .queries import invoice_of  # noqa: F401
from .quotes import (KINDS, QUOTE_VALIDITY_DAYS, VAT_RATES, Totals, add_line, bonus_verdict, create_quote,  # noqa: F401
                     decide, mark_sent, organism_verdict, remove_line, reopen, repair_codes, reused_part,
                     set_repair_code, totals, validate)
from .states import BillingError  # noqa: F401
