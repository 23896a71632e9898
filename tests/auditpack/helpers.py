"""The audit pack's test data: a shop's half-year (two signed washing machines, a return, claims,
payments, complaints) and another shop's data of the same period, never in the pack."""
import csv
import datetime as dt
import io
import uuid
import zipfile

import time_machine
from flask_login import login_user

from qualirepar.billing import invoices, quotes
from qualirepar.billing.models import Invoice
from qualirepar.claims import payments
from qualirepar.claims.models import Claim
from qualirepar.complaints.calendar import due_on
from qualirepar.complaints.models import Complaint
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs import signatures
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import User
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order
from ..checklists.helpers import fill
from ..factories import data_url

D = dt.date
UTC = dt.timezone.utc
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-06-30"}
SERIAL = "WM-RET-0001"


def at_utc(day: D, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def invoice_and_claim(order: RepairOrder, reason: str | None = None):
    """The order's invoice and its claim: on the normal path (the quote accepted, the repair marked
    done), or, with `reason`, before the repair (stated and audited)."""
    quote = quote_with(order, *STANDARD)
    quotes.set_repair_code(quote, "G12")
    if reason:
        quotes.validate(quote, None)
    else:
        ready_to_invoice(order, quote)  # accepted, repair marked done
    invoices.issue_invoice(order, quote, str(uuid.uuid4()), None, reason=reason)
    return db.session.execute(db.select(Claim).where(Claim.order_id == order.id)).scalar_one()


def history_of(app, shop) -> dict:
    """Two signed washing machines (A repaired with its controls, invoiced, handed back on 20/01/2025,
    claim paid; B invoiced, claim rejected, diagnosed without its check-in), a return of A two months
    after its hand-back, the same appliance again four months after (not a return), two complaints
    (one answered late), and one of each outside the period."""
    site = factories.make_site(app, shop.id, name="Atelier Part-Dieu")
    tech = shop.users["technician"]
    with at_utc(D(2025, 1, 6)):
        a = washing_machine_order(app, shop.id, intake_on=D(2025, 1, 6), serial_number=SERIAL, email="lea@exemple.fr",
                                  site_id=site, technician_id=tech.id, fault_description="Fuit par la porte")
    with at_utc(D(2025, 2, 3)):
        b = washing_machine_order(app, shop.id, intake_on=D(2025, 2, 3), serial_number="WM-B-0002", last_name="Durand",
                                  first_name="Paul", email="paul@exemple.fr", fault_description="Ne vidange plus")
    with app.test_request_context(), as_shop(shop.id):
        login_user(db.session.get(User, tech.id))
        order = db.session.get(RepairOrder, a)
        with at_utc(D(2025, 1, 6), 10):
            signatures.sign(order, "customer", data_url(), "Léa Martin")
            signatures.sign(order, "technician", data_url(), "Tech Nicien")
            fill(order, "checkin")
            repairs.transition(order, "start_diagnosis")
        with at_utc(D(2025, 1, 15)):
            repairs.transition(order, "start_repair")
            fill(order, "checkout")
            repairs.transition(order, "finish")
            claim_a = invoice_and_claim(order)  # the quote signed at the counter, the repair done
        with at_utc(D(2025, 1, 20)):
            repairs.transition(order, "hand_back")
        order_b = db.session.get(RepairOrder, b)
        with at_utc(D(2025, 2, 3), 10):
            signatures.sign(order_b, "customer", data_url(), "Paul Durand")
            repairs.transition(order_b, "start_diagnosis")  # no check-in: its mandatory points are missing
        with at_utc(D(2025, 2, 5)):
            claim_b = invoice_and_claim(order_b, reason="Diagnostic facturé avant la réparation")
        claim_a.status, claim_a.external_id, claim_a.submitted_at = "accepted", "ECL-A-1", dt.datetime(2025, 1, 11, tzinfo=UTC)
        db.session.commit()
        paid = claim_a.bonus_amount
        payments.import_statement([payments.Line(2, claim_a.organism, "VIR-2025-03", D(2025, 3, 5), "ECL-A-1", None, paid)],
                                  "releve-mars.csv")
        claim_b.record("rejected", "Photo de la plaque illisible")  # the status sync's step, written directly
        claim_b.status_text = "Photo de la plaque illisible"  # the organism's words, as the status sync keeps them
        db.session.commit()
        numbers = {"A": order.number, "B": order_b.number, "invoice_a": db.session.get(Claim, claim_a.id).invoice_id}
    with at_utc(D(2025, 3, 20)):
        r = factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2025, 3, 20), serial_number=SERIAL,
                                 fault_description="Fuit par la porte")
    with at_utc(D(2025, 5, 25)):
        c = factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2025, 5, 25), serial_number=SERIAL,
                                 fault_description="Fait du bruit")
    factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2024, 12, 20), serial_number="WM-OLD-1", last_name="Avant")
    with app.app_context(), as_shop(shop.id):
        ret, later = db.session.get(RepairOrder, r), db.session.get(RepairOrder, c)
        assert ret.warranty_of_id == a and later.warranty_of_id is None  # the detection did its job
        numbers.update(R=ret.number, C=later.number)
        numbers["invoice_a"] = db.session.get(Invoice, numbers["invoice_a"]).number
        numbers["paid"] = paid
        for received, answered, name in ((D(2025, 2, 3), D(2025, 2, 20), "Léa Martin"), (D(2025, 3, 3), D(2025, 3, 5), "Paul Durand"),
                                         (D(2024, 12, 2), D(2024, 12, 3), "Hors Période")):
            db.session.add(Complaint(received_on=received, due_on=due_on(received), channel="email", customer_name=name,
                                     order_id=a if name == "Léa Martin" else None, text="Le lave-linge fuit encore.",
                                     answer="Reprise sous garantie.", answered_on=answered))
        db.session.commit()
    return numbers


def other_shop_data(app) -> None:
    """Another shop with an order, a complaint and data of the same period: never in our pack."""
    other = factories.shop_with_team(app)
    factories.make_order(app, other.id, "Bouilloire", intake_on=D(2025, 2, 10), serial_number="INTRUS-999", last_name="Intrus")
    with app.app_context(), as_shop(other.id):
        db.session.add(Complaint(received_on=D(2025, 2, 11), due_on=due_on(D(2025, 2, 11)), channel="letter",
                                 customer_name="Client Intrus", text="Autre boutique."))
        db.session.commit()


def csv_rows(zf: zipfile.ZipFile, name: str) -> list[dict]:
    raw = zf.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
