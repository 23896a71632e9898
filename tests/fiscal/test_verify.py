"""`flask fiscal verify` and the owner's compliance page: the result in French, exit code 1 when the
chain is broken, the last check kept and shown, the public key printed (BOI-TVA-DECLA-30-10-30 II, sécurisation:
anyone holding the public key can check the signatures)."""
from __future__ import annotations

from sqlalchemy import text

from qualirepar.extensions import db
from qualirepar.fiscal import journal, kinds
from qualirepar.fiscal.models import FiscalCheck
from qualirepar.fiscal.verify import verify_shop
from qualirepar.tenancy import as_shop

from . import fiscal_factories as ff
from .test_tamper import _without_triggers


def _books(app, shop_id):
    with app.test_request_context(), as_shop(shop_id):
        inv = ff.invoice(ff.order(app, shop_id))
        pay = ff.payment(inv, "30.00")
        db.session.commit()
        return pay.id


def test_cli_verifies_every_shop_and_exits_1_on_a_broken_chain(app, shop, runner):
    payment_id = _books(app, shop.id)
    result = runner.invoke(args=["fiscal", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Boutique {shop.id} : chaîne intègre (3 écritures" in result.output
    with app.app_context():
        _without_triggers(f"UPDATE payment SET amount = 3 WHERE id = {payment_id}")
    result = runner.invoke(args=["fiscal", "verify", "--shop", str(shop.id)])
    assert result.exit_code == 1
    assert "CHAÎNE ROMPUE. Première anomalie : L'écriture n° 3 ne correspond plus au paiement" in result.output
    with app.app_context():
        checks = db.session.execute(db.select(FiscalCheck.status).order_by(FiscalCheck.id)).scalars().all()
        assert checks == [kinds.CHECK_OK, kinds.CHECK_BROKEN]


def test_cli_unknown_shop(app, runner):
    result = runner.invoke(args=["fiscal", "verify", "--shop", "999"])
    assert result.exit_code != 0 and "Aucune boutique n° 999" in result.output


def test_verification_reads_in_batches(app, shop, monkeypatch):
    """Constant memory: the chain and the rows are read BATCH at a time (here 2, over 3 batches)."""
    monkeypatch.setattr("qualirepar.fiscal.verify.BATCH", 2)
    _books(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        for _ in range(3):
            journal.record(kinds.TAX_EXPORT, {"f": "x"}, shop_id=shop.id, occurred_on=journal.paris_date(journal.utcnow()))
        db.session.commit()
        report = verify_shop(shop.id)
        assert report.ok and report.entries == 6 and report.rows == 2


def test_owner_page_runs_a_check_and_shows_the_public_key(app, shop, as_role):
    _books(app, shop.id)
    client = as_role("owner")
    page = client.get("/parametres/conformite-caisse").get_data(as_text=True)
    assert "pas encore été vérifié" in page and "BEGIN PUBLIC KEY" in page
    resp = client.post("/parametres/conformite-caisse/verifier", follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Chaîne intègre" in page and "3 écritures vérifiées" in page


def test_owner_page_names_the_broken_entry(app, shop, as_role):
    payment_id = _books(app, shop.id)
    with app.app_context():
        _without_triggers(f"UPDATE payment SET method = 'card' WHERE id = {payment_id}")
    client = as_role("owner")
    page = client.post("/parametres/conformite-caisse/verifier", follow_redirects=True).get_data(as_text=True)
    assert "Chaîne rompue" in page and "L&#39;écriture n° 3 ne correspond plus au paiement" in page


def test_only_the_owner_sees_the_compliance_page(app, shop, as_role):
    client = as_role("technician")
    assert client.get("/parametres/conformite-caisse").status_code == 403
    assert client.post("/parametres/conformite-caisse/verifier").status_code == 403
