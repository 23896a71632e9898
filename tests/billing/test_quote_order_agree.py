"""Quote and order agree (issue 16): a validated quote reads «Validé»; the order leaves «Diagnostic»
when its quote is validated or accepted; an invoice is issued for an accepted quote on a repair
marked done, or with a stated reason kept in the order's history (a diagnosis-only invoice)."""
import uuid

import pytest

from qualirepar.audit import AuditEntry
from qualirepar.billing import invoices, quotes
from qualirepar.billing.states import BillingError
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs import states
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..checklists.helpers import fill
from .helpers import STANDARD, accept, quote_with, ready_to_invoice, repaired, washing_machine_order


@pytest.fixture
def order_id(app, shop):
    return washing_machine_order(app, shop.id)


@pytest.fixture
def in_diagnosis(app, shop, order_id):
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis")
        yield order


def test_a_validated_quote_reads_valide(in_diagnosis):
    quote = quote_with(in_diagnosis, *STANDARD)
    assert quotes.status_label(quote) == "Brouillon"
    quotes.validate(quote, None)
    assert quotes.status_label(quote) == "Validé"
    accept(quote)
    assert quotes.status_label(quote) == "Accepté"


def test_the_order_leaves_diagnostic_when_its_quote_is_validated(in_diagnosis):
    quote = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(quote, None)
    assert in_diagnosis.status == states.QUOTE


def test_the_order_goes_to_reparation_when_the_quote_is_accepted(in_diagnosis):
    quote = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(quote, None)
    accept(quote)
    assert db.session.get(RepairOrder, in_diagnosis.id).status == states.REPAIR


def test_a_second_quote_leaves_the_order_where_it_is(in_diagnosis):
    first = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(first, None)
    accept(first)
    second = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(second, None)
    assert in_diagnosis.status == states.REPAIR


def test_no_invoice_for_a_quote_not_accepted_or_a_repair_not_done(in_diagnosis):
    quote = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(quote, None)
    with pytest.raises(BillingError) as info:
        invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None)
    message = str(info.value)
    assert "le devis n'est pas accepté par le client" in message and "la réparation n'est pas marquée terminée" in message
    accept(quote)
    with pytest.raises(BillingError) as info:
        invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None)
    assert "la réparation n'est pas marquée terminée" in str(info.value) and "accepté" not in str(info.value)
    assert invoices.invoice_of(in_diagnosis) is None


def test_an_accepted_quote_on_a_repair_marked_done_is_invoiced(in_diagnosis):
    quote = quote_with(in_diagnosis, *STANDARD)
    ready_to_invoice(in_diagnosis, quote)
    assert in_diagnosis.status == states.READY and quotes.invoice_gaps(in_diagnosis, quote) == []
    invoice = invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None)
    assert invoice.number and invoices.invoice_of(in_diagnosis).id == invoice.id


def test_a_diagnosis_only_invoice_needs_a_reason_which_is_audited(in_diagnosis):
    quote = quote_with(in_diagnosis, ("diagnosis", "Diagnostic", "1", "40.00", "20"))
    quotes.validate(quote, None)
    with pytest.raises(BillingError):
        invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None, reason="  ")
    invoice = invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None, reason="Diagnostic seul : appareil non réparable")
    assert invoice.number
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "invoice_reason")).scalar_one()
    assert entry.changes["reason"][1] == "Diagnostic seul : appareil non réparable"
    assert "accepté" in entry.changes["gaps"][1]


def test_a_simple_job_repaired_without_a_quote_sent_still_needs_the_customers_agreement(in_diagnosis):
    repaired(in_diagnosis)  # «Réparer sans devis», then «Réparation terminée»
    quote = quote_with(in_diagnosis, *STANDARD)
    quotes.validate(quote, None)
    assert quotes.invoice_gaps(in_diagnosis, quote) == ["le devis n'est pas accepté par le client"]
    accept(quote)  # signed at the counter
    assert invoices.issue_invoice(in_diagnosis, quote, str(uuid.uuid4()), None).number
