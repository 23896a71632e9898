"""E-reporting of the sales to private customers (CGI art. 290) and of the payments for services
(CGI art. 290 A): the periods the VAT regime sets and their deadlines (CGI ann. II art. 242 nonies O,
décret n° 2022-1299 as amended; BOI-TVA-DECLA-20-30-50-30 § 50 to § 100; BOI-TVA-DECLA-20-30-60
§ 170 to § 210), and a month's figures that add up to its invoices and credit notes."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from qualirepar.billing import deposits, invoices, payments, quotes
from qualirepar.billing.models import Invoice
from qualirepar.claims.models import Claim, ClaimPayment
from qualirepar.core.clock import paris_today
from qualirepar.einvoice import ereporting, periods
from qualirepar.einvoice.periods import PAYMENTS, TRANSACTIONS
from qualirepar.einvoice.transmissions import Transmission
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from ..billing.helpers import quote_with, washing_machine_order
from .pa_fixtures import issued_invoice, use_provider

D = dt.date
MIXED = [("diagnosis", "Diagnostic", "1", "40.00", "20"), ("labour", "Main-d'œuvre", "1.5", "50.00", "10"),
         ("part", "Pompe de vidange", "1", "35.00", "20"), ("part", "Joint", "3", "3.33", "20")]


@pytest.mark.parametrize("regime,flow,day,start,end,deadline", [
    # réel normal mensuel: transactions by ten-day period, due ten days after (BOI-TVA-DECLA-20-30-50-30 § 50, § 90)
    ("reel_mensuel", TRANSACTIONS, D(2027, 9, 5), D(2027, 9, 1), D(2027, 9, 10), D(2027, 9, 20)),
    ("reel_mensuel", TRANSACTIONS, D(2027, 9, 15), D(2027, 9, 11), D(2027, 9, 20), D(2027, 9, 30)),
    ("reel_mensuel", TRANSACTIONS, D(2027, 9, 25), D(2027, 9, 21), D(2027, 9, 30), D(2027, 10, 10)),
    ("reel_mensuel", TRANSACTIONS, D(2028, 2, 15), D(2028, 2, 11), D(2028, 2, 20), D(2028, 2, 29)),  # February: its last day
    ("reel_mensuel", TRANSACTIONS, D(2027, 12, 31), D(2027, 12, 21), D(2027, 12, 31), D(2028, 1, 10)),
    # payments under the réel normal: each month, by the 10th (BOI-TVA-DECLA-20-30-60 § 170, § 190)
    ("reel_mensuel", PAYMENTS, D(2027, 9, 25), D(2027, 9, 1), D(2027, 9, 30), D(2027, 10, 10)),
    # réel normal trimestriel: each month, by the 10th (§ 60, § 90)
    ("reel_trimestriel", TRANSACTIONS, D(2027, 11, 3), D(2027, 11, 1), D(2027, 11, 30), D(2027, 12, 10)),
    ("reel_trimestriel", PAYMENTS, D(2027, 11, 3), D(2027, 11, 1), D(2027, 11, 30), D(2027, 12, 10)),
    # réel simplifié: each month, between the 25th and the end of the next month: the 25th kept (§ 60, § 100; -60 § 200)
    ("reel_simplifie", TRANSACTIONS, D(2027, 9, 30), D(2027, 9, 1), D(2027, 9, 30), D(2027, 10, 25)),
    # franchise en base: civil two-month periods, 25th of the month after (§ 70, § 100; -60 § 180, § 210)
    ("franchise", TRANSACTIONS, D(2027, 10, 12), D(2027, 9, 1), D(2027, 10, 31), D(2027, 11, 25)),
    ("franchise", PAYMENTS, D(2027, 1, 31), D(2027, 1, 1), D(2027, 2, 28), D(2027, 3, 25)),
    ("franchise", TRANSACTIONS, D(2027, 12, 1), D(2027, 11, 1), D(2027, 12, 31), D(2028, 1, 25)),
])
def test_periods_and_deadlines_by_vat_regime_CGI_290_BOI_TVA_DECLA_20_30_50_30(regime, flow, day, start, end, deadline):
    p = periods.period_of(day, regime, flow)
    assert (p.start, p.end, p.deadline) == (start, end, deadline)


def test_a_month_of_ten_day_periods_has_three(app):
    with app.test_request_context():
        found = periods.periods_in_month(2027, 9, "reel_mensuel", TRANSACTIONS)
    assert [(p.start.day, p.end.day) for p in found] == [(1, 10), (11, 20), (21, 30)]


def test_the_next_deadline_is_the_ended_period_still_due(app):
    with app.test_request_context():
        p = periods.next_deadline(D(2027, 12, 6), "reel_mensuel", (TRANSACTIONS,))
        assert (p.start, p.end, p.deadline) == (D(2027, 11, 21), D(2027, 11, 30), D(2027, 12, 10))
        p = periods.next_deadline(D(2027, 12, 11), "reel_mensuel", (TRANSACTIONS,))
        assert (p.start, p.deadline) == (D(2027, 12, 1), D(2027, 12, 20))  # the running ten-day period
        p = periods.next_deadline(D(2027, 12, 26), "franchise", (TRANSACTIONS,))
        assert (p.start, p.end, p.deadline) == (D(2027, 11, 1), D(2027, 12, 31), D(2028, 1, 25))


def _month_period():
    today = paris_today()
    start = today.replace(day=1)
    end = periods.last_day(today.year, today.month)
    return periods.Period(TRANSACTIONS, periods.MONTH, start, end, end)


def test_a_months_figures_add_up_to_its_invoices_and_credit_notes_CGI_290(app, shop, tmp_path):
    """B2C invoices and credit notes count (a credit note negative); a business customer's invoice is
    e-invoiced, not e-reported."""
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        first = issued_invoice(app, shop.id, business=False, lines=MIXED)
        second = issued_invoice(app, shop.id, business=False)
        issued_invoice(app, shop.id, business=True, lines=MIXED)
        with app.test_request_context(), as_shop(shop.id):
            invoices.credit(db.session.get(Invoice, second), "Erreur de dossier", str(uuid.uuid4()), None)
            b2c = [inv for inv in db.session.execute(db.select(Invoice)).scalars() if inv.buyer.get("kind") != "business"]
            assert len(b2c) == 3  # two invoices and the credit note
            rep = ereporting.transactions(_month_period())
            assert rep.total_base == sum(inv.total_ht for inv in b2c)
            assert rep.total_vat == sum(inv.total_vat for inv in b2c)
            assert rep.total_ttc == sum(inv.total_ttc for inv in b2c)
            by = {(r.category, r.rate): r for r in rep.rows}
            mixed = db.session.get(Invoice, first)
            goods = sum(ln.total_ht for ln in mixed.lines if ln.kind == "part")
            assert by[("TLB1", Decimal("20.00"))].base == goods  # the other invoice's part was cancelled by its credit note
            assert by[("TPS1", Decimal("10.00"))].base == Decimal("75.00") and by[("TPS1", Decimal("10.00"))].vat == Decimal("7.50")
            assert sorted(rep.invoices) == sorted(inv.number for inv in b2c)
    finally:
        app.config.pop("PA_OUTBOX_DIR")


def test_payments_of_services_by_rate_CGI_290_A(app, shop):
    invoice_id = issued_invoice(app, shop.id, business=False, lines=MIXED)
    with app.test_request_context(), as_shop(shop.id):
        inv = db.session.get(Invoice, invoice_id)
        payments.record_payment(inv, "card", inv.amount_due, None)
        today = paris_today()
        rep = ereporting.payments(periods.period_of(today, "reel_mensuel", PAYMENTS))
        services_ttc = sum(ln.total_ht * (1 + ln.vat_rate / 100) for ln in inv.lines if ln.kind != "part")
        expected = inv.amount_due * services_ttc / inv.total_ttc
        assert abs(rep.total_ttc - expected) <= Decimal("0.02")  # one rounding per rate
        assert {r.category for r in rep.rows} == {"TPS1"}


def test_exports_json_and_csv_structure(app, shop):
    issued_invoice(app, shop.id, business=False, lines=MIXED)
    with app.test_request_context(), as_shop(shop.id):
        rep = ereporting.transactions(_month_period())
        body = json.loads(ereporting.as_json(rep, db.session.get(Shop, shop.id)))
        assert body["format"] == "qualirepar-ereporting-1" and body["currency"] == "EUR"
        assert Decimal(body["totals"]["base"]) == rep.total_base
        assert {t["category"] for t in body["transactions"]} == {"TLB1", "TPS1"}
        text = ereporting.as_csv(rep).decode("utf-8")
    assert text.startswith("\ufeffflux;debut;fin;echeance;categorie;")
    assert len(text.strip().splitlines()) == 1 + len(rep.rows)


def test_the_page_shows_the_month_and_the_next_deadline(app, shop, as_role):
    issued_invoice(app, shop.id, business=False, lines=MIXED)
    client = as_role("owner")
    html = client.get("/facturation-electronique/e-reporting").get_data(as_text=True)
    assert "Prochaine échéance" in html and "TLB1" in html and "TPS1" in html
    assert as_role("support").get("/facturation-electronique/e-reporting").status_code == 200


def test_a_running_period_cannot_be_transmitted_an_ended_one_once(app, shop, as_role, tmp_path):
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        use_provider(app, shop.id, "outbox", vat_regime="reel_trimestriel")
        client = as_role("owner")
        today = paris_today()
        running = today.replace(day=1).isoformat()
        resp = client.post(f"/facturation-electronique/e-reporting/transactions/{running}/transmettre", follow_redirects=True)
        assert "n&#39;est pas terminée" in resp.get_data(as_text=True)
        last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
        client.post(f"/facturation-electronique/e-reporting/transactions/{last}/transmettre")
        resp = client.post(f"/facturation-electronique/e-reporting/transactions/{last}/transmettre", follow_redirects=True)
        assert "déjà transmises" in resp.get_data(as_text=True)
        with app.test_request_context(), as_shop(shop.id):
            rows = db.session.execute(db.select(Transmission)).scalars().all()
            assert [(r.kind, r.subject) for r in rows] == [("ereport", f"ereport:transactions:{last}")]
    finally:
        app.config.pop("PA_OUTBOX_DIR")


def test_the_organisms_transfer_of_the_bonus_is_a_payment_received_CGI_290_A(app, shop):
    """The bonus réparation is part of the price, paid by the eco-organism for the customer: its
    transfer is money received for the service, like the customer's own payment."""
    invoice_id = issued_invoice(app, shop.id, business=False)
    with app.test_request_context(), as_shop(shop.id):
        inv = db.session.get(Invoice, invoice_id)
        claim = db.session.execute(db.select(Claim).where(Claim.invoice_id == invoice_id)).scalar_one_or_none()
        if claim is None or not inv.bonus_amount:
            pytest.skip("no bonus on this invoice in this catalogue")
        db.session.add(ClaimPayment(claim_id=claim.id, organism=claim.organism, reference="VIR-1", paid_on=paris_today(),
                                    amount=inv.bonus_amount, source="api"))
        db.session.commit()
        rep = ereporting.payments(periods.period_of(paris_today(), "reel_mensuel", PAYMENTS))
        services_ttc = sum(ln.total_ht * (1 + ln.vat_rate / 100) for ln in inv.lines if ln.kind != "part")
        assert abs(rep.total_ttc - inv.bonus_amount * services_ttc / inv.total_ttc) <= Decimal("0.01")


@pytest.mark.parametrize("regime,debits,periods_shown", [("reel_mensuel", False, 3), ("reel_trimestriel", True, 1),
                                                          ("reel_simplifie", False, 1), ("franchise", False, 1)])
def test_the_page_lists_the_regimes_periods_of_a_past_month(app, shop, as_role, regime, debits, periods_shown):
    use_provider(app, shop.id, "outbox", vat_regime=regime, option_debits=debits)
    html = as_role("owner").get("/facturation-electronique/e-reporting?mois=2027-03").get_data(as_text=True)
    table = html[html.index('data-testid="periods-transactions"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") - 1 == periods_shown  # the header row aside
    assert ('data-testid="periods-payments"' in html) is not debits  # CGI art. 290 A: no payment data with the option


def test_a_deposit_on_a_quote_is_a_payment_received_in_its_period_CGI_290_A(app, shop):
    """VAT on services is due when the money is received: a deposit taken against the quote counts in
    its own period, shared between rates as the quote's services are; the invoice's later payment is
    only the rest, so nothing is counted twice."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *MIXED)
        quotes.validate(quote, None)
        deposits.take_deposit(order, "card", Decimal("50.00"), None, quote=quote)
        rep = ereporting.payments(periods.period_of(paris_today(), "reel_mensuel", PAYMENTS))
        shares = {Decimal("20.00"): Decimal("48.00"), Decimal("10.00"): Decimal("82.50")}  # services TTC by rate
        total = Decimal("48.00") + Decimal("82.50") + Decimal("44.99") * Decimal("1.2")  # the quote's TTC
        for row in rep.rows:
            assert abs(row.ttc - Decimal("50.00") * shares[row.rate] / total) <= Decimal("0.01")
        assert rep.invoices and rep.invoices[0].startswith("AC-")
