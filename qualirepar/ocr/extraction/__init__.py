"""Fields of an invoice or a nameplate, found in a Reading's text by rules.

Every field comes with a confidence (0..1: how sure the rule is, times the OCR confidence of the
words it came from) and the line it came from. Values are normalised: dates ISO (yyyy-mm-dd),
amounts "1234.56" (the bonus positive), SIRET / SIREN / VAT number without spaces.

Pure (no Flask, no database). One module per concern:

- `lines`: the reading's lines (normalised, folded, with their OCR confidence) and `Field`;
- `amounts`: amounts printed on a line, and the candidates each labelled line gives;
- `totals`: the combination of candidates that holds together (HT + TVA = TTC, TTC − bonus = net);
- `number`, `dates`, `customer`, `ids`: the invoice's number, date, customer, and the seller's
  SIRET / SIREN / VAT number (checksums);
- `invoice`, `nameplate`: the two entry points.
"""
from .amounts import Amount, Candidate, amount_candidates, amounts_in
from .customer import find_customer
from .dates import find_date
from .ids import find_ids
from .invoice import invoice_fields
from .lines import Field, Line, lines_of
from .nameplate import nameplate_fields
from .number import find_number
from .totals import solve_amounts

__all__ = ["Amount", "Candidate", "Field", "Line", "amount_candidates", "amounts_in", "find_customer", "find_date",
           "find_ids", "find_number", "invoice_fields", "lines_of", "nameplate_fields", "solve_amounts"]
