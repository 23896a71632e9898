"""Each role's home page: the owner's money and rejections with charts (a table behind each for
screen readers), the support's claims to fix and late payments, the technician's day."""
import datetime as dt

from qualirepar.claims.models import Claim, ClaimEvent
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from ..claims.test_submission import LYON, _invoice
from qualirepar.core.clock import paris_today


def _three_claims(app, shop):
    """One paid 20 days after its invoice, one refused (reason 06), one waiting."""
    ids = [_invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111", serial_number=f"WM-{n}") for n in range(3)]
    with app.app_context(), as_shop(shop.id):
        paid, refused, waiting = (db.session.get(Claim, i) for i in ids)
        paid.status, paid.amount_paid, paid.paid_on = "paid", paid.bonus_amount, paris_today() + dt.timedelta(days=20)
        refused.status, refused.last_error = "rejected", "06 : Bonus incorrect (montant)"
        db.session.add(ClaimEvent(claim_id=refused.id, status_before="submitted", status_after="rejected", text="06 : Bonus incorrect (montant)"))
        waiting.status, waiting.submitted_at = "submitted", dt.datetime.now(dt.timezone.utc)
        db.session.commit()
        return paid.bonus_amount


def test_the_owner_sees_the_money_and_why_claims_are_refused(app, shop, sandbox_accounts, as_role):
    from qualirepar.dashboard import services

    bonus = _three_claims(app, shop)
    with app.test_request_context(), as_shop(shop.id):
        f = services.owner()
    assert f["claimed"] == bonus * 3 and f["paid"] == bonus and f["accepted"] == bonus
    assert f["outstanding"] == bonus  # the waiting one; a refused one is not due
    assert (f["rejected"], f["decided"], f["rejection_rate"]) == (1, 2, 0.5)
    assert f["reasons"] == [("06 : Bonus incorrect", 1)] and f["delay_days"] == 20
    html = as_role("owner").get("/").get_data(as_text=True)
    assert 'data-testid="owner-dashboard"' in html and html.count('data-testid="chart"') == 5
    assert "<caption>Bonus demandé par mois de facture</caption>" in html  # the table behind the chart


def test_support_sees_what_to_fix_and_technicians_their_day(app, shop, sandbox_accounts, as_role):
    _three_claims(app, shop)
    html = as_role("support").get("/").get_data(as_text=True)
    assert 'data-testid="support-dashboard"' in html and "06 : Bonus incorrect" in html
    from .. import factories

    html = factories.login_client(app, shop.emails["technician"]).get("/").get_data(as_text=True)
    assert 'data-testid="technician-dashboard"' in html and "Pris en charge aujourd&#39;hui (3)" in html.replace("'", "&#39;")


def test_documents_to_renew_show_on_the_owner_and_support_home(app, shop, as_role):
    from qualirepar.files.services import store_bytes
    from qualirepar.resources.models import ShopDocument

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    today = paris_today()
    with app.test_request_context(), as_shop(shop.id):
        for title, days in (("Attestation RC Pro 2026", 10), ("Certificat QualiRépar", 400), ("Ancienne grille", -3)):
            stored = store_bytes(pdf, "doc.pdf", "document", {"application/pdf"}, 1_000_000)
            db.session.flush()
            db.session.add(ShopDocument(title=title, category="insurance", file_id=stored.id, expires_on=today + dt.timedelta(days=days)))
        db.session.commit()
    html = as_role("owner").get("/").get_data(as_text=True)
    assert 'data-testid="documents-to-renew"' in html
    assert "Attestation RC Pro 2026" in html and "Ancienne grille" in html and "Certificat QualiRépar" not in html
    assert "Attestation RC Pro 2026" in as_role("support").get("/").get_data(as_text=True)
    from .. import factories

    technician = factories.login_client(app, shop.emails["technician"])
    assert "documents-to-renew" not in technician.get("/").get_data(as_text=True)
