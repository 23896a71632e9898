"""Reimbursement control: the organism's payment statement imported and matched, short payments
and late ones found, every euro accounted for per organism and month, and exported."""
import datetime as dt
import io
from decimal import Decimal

import pytest
import requests

from qualirepar.claims import payments, tasks
from qualirepar.claims.models import Claim, ClaimPayment
from qualirepar.core.clock import PARIS, paris_today
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from .test_submission import LYON, _claim, _invoice, _send

HEADER = "organisme;reference_paiement;date_paiement;id_demande;ordre_de_service;numero_facture;montant\n"


def _accepted(app, shop, sandbox):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    external = _send(app, shop, claim_id)
    sandbox.operator(requests, f"claims/ecologic/{external}/accept")
    with app.test_request_context():
        tasks.poll_shop_claims(shop.id)
    return claim_id, external


def _upload(client, text: str, name="releve.csv", **form):
    return client.post("/demandes/paiements", data={"statement": (io.BytesIO(text.encode()), name), **form},
                       content_type="multipart/form-data")


def test_the_statement_of_the_organism_pays_the_claim_once(app, shop, sandbox_accounts, sandbox, as_role):
    claim_id, external = _accepted(app, shop, sandbox)
    paid = sandbox.operator(requests, "payments", claims=[["ecologic", external]], reference="VIR-ECL-77")
    statement = requests.get(f"{sandbox.url}/_sandbox/payments/VIR-ECL-77.csv").text  # downloaded from the portal
    client = as_role("support")
    html = _upload(client, statement).get_data(as_text=True)
    assert "1 ligne(s) rapprochée(s), 0 sans demande, 0 déjà importée(s)" in html
    claim = _claim(app, shop, claim_id)
    assert claim.status == "paid" and claim.amount_paid == claim.bonus_amount == Decimal(paid["total"])
    assert claim.paid_on == dt.date.fromisoformat(paid["paid_on"])
    html = _upload(client, statement).get_data(as_text=True)  # the same file again
    assert "0 ligne(s) rapprochée(s), 0 sans demande, 1 déjà importée(s)" in html
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(ClaimPayment.id))).scalar_one() == 1
    with app.test_request_context():
        tasks.poll_shop_claims(shop.id)  # the organism then says "Clôturée": still paid, once
    assert _claim(app, shop, claim_id).status == "paid"
    page = client.get(f"/demandes/{claim_id}").get_data(as_text=True)
    assert "VIR-ECL-77" in page and 'data-testid="claim-paid"' in page


def test_short_paid_unmatched_and_linked_by_hand(app, shop, sandbox_accounts, sandbox, as_role):
    claim_id, external = _accepted(app, shop, sandbox)
    bonus = _claim(app, shop, claim_id).bonus_amount
    short = f"{bonus - 5:.2f}".replace(".", ",")
    client = as_role("support")
    html = _upload(client, HEADER + f"ecologic;VIR-1;2026-11-20;{external};;;{short}\n"
                                    "ecologic;VIR-1;2026-11-20;999999;;F-INCONNUE;10,00\n").get_data(as_text=True)
    assert "1 ligne(s) rapprochée(s), 1 sans demande" in html and 'data-testid="short-paid"' in html and "manque 5,00" in html
    assert _claim(app, shop, claim_id).amount_paid == bonus - 5
    with app.app_context(), as_shop(shop.id):
        rows = payments.control()
        stray = db.session.execute(db.select(ClaimPayment).where(ClaimPayment.claim_id.is_(None))).scalar_one()
    assert [r.category for r in rows] == ["short"]
    assert 'data-testid="unmatched"' in html and "999999" in html
    client.post(f"/demandes/paiements/{stray.id}/rapprocher", data={"claim_id": claim_id})
    assert _claim(app, shop, claim_id).amount_paid == bonus + 5  # now overpaid: the control says paid (not short)


@pytest.mark.parametrize("text,message", [
    ("", "Choisissez le fichier du relevé"),
    ("nom;prenom\nDupont;Léa\n", "pas un relevé de paiement reconnu"),
    (HEADER + "ecologic;VIR-1;2026-11-20;12;;;douze\n", "Ligne 2 : montant illisible « douze »."),
    (HEADER + "ecologic;VIR-1;20 novembre;12;;;12,00\n", "Ligne 2 : date illisible"),
    (HEADER + "ecofoo;VIR-1;2026-11-20;12;;;12,00\n", "Ligne 2 : organisme inconnu « ecofoo »"),
    (HEADER, "ne contient aucune ligne de paiement"),
])
def test_a_bad_statement_is_refused_in_french_and_nothing_is_kept(app, shop, as_role, text, message):
    client = as_role("support")
    if text:
        html = _upload(client, text).get_data(as_text=True)
    else:
        html = client.post("/demandes/paiements", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert message in html.replace("&#39;", "'").replace("&#34;", '"')
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(ClaimPayment.id))).scalar_one() == 0


def test_late_and_unpaid_claims_by_age_with_totals_and_export(app, shop, sandbox_accounts, sandbox, as_role):
    first, _e1 = _accepted(app, shop, sandbox)
    second = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111", serial_number="WM-SECOND-1")
    _send(app, shop, second)
    today = paris_today()  # the shop's day: the server's date is UTC, a day behind from midnight in Paris
    with app.test_request_context(), as_shop(shop.id):
        old = db.session.get(Claim, first)
        # sent 75 days ago (at noon in Paris: a time just before midnight in winter is the next day in summer time), still not paid
        old.submitted_at = dt.datetime.combine(today - dt.timedelta(days=75), dt.time(12), tzinfo=PARIS)
        db.session.commit()
        rows = payments.control(today)
        by_id = {r.claim.id: r for r in rows}
        assert (by_id[first].category, by_id[first].age_days) == ("late", 75)  # the shop's default: late after 60 days
        assert (by_id[second].category, by_id[second].age_days) == ("unpaid", 0)
        buckets = payments.ageing(rows)
        assert [b["count"] for b in buckets] == [1, 0, 1, 0]
        total = payments.totals(rows)
        assert len(total) == 1 and total[0]["count"] == 2 and total[0]["paid"] == 0
        assert total[0]["asked"] == total[0]["due"] == old.bonus_amount * 2
    client = as_role("owner")
    html = client.get("/demandes/paiements?controle=late").get_data(as_text=True)
    assert html.count('data-testid="control-row"') == 1
    csv_text = client.get("/demandes/paiements.csv").get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("organisme;facture;date_facture") and len(lines) == 3
    assert any(";en retard;" in line and line.endswith(";75") for line in lines)
