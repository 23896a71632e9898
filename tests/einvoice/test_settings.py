"""The shop's e-invoicing settings: defaults, the owner's page, and who may open it."""
from __future__ import annotations

import pytest

from qualirepar.einvoice import settings as einvoice_settings
from qualirepar.einvoice.settings import EinvoiceSettings
from qualirepar.extensions import db


def test_defaults_without_a_row(app, shop, ctx):
    row = einvoice_settings.settings_for(shop.id)
    assert (row.option_debits, row.vat_regime, row.pa_provider) == (False, "reel_mensuel", "outbox")
    assert db.session.execute(db.select(EinvoiceSettings)).scalar_one_or_none() is None  # nothing written


def test_owner_saves_regime_option_and_provider(app, shop, as_role):
    client = as_role("owner")
    page = client.get("/parametres/facturation-electronique")
    assert page.status_code == 200 and "Facturation électronique" in page.get_data(as_text=True)
    resp = client.post("/parametres/facturation-electronique",
                       data={"vat_regime": "reel_simplifie", "option_debits": "y", "pa_provider": "sandbox"})
    assert resp.status_code in (302, 303)
    with app.app_context():
        row = einvoice_settings.settings_for(shop.id)
        assert (row.option_debits, row.vat_regime, row.pa_provider) == (True, "reel_simplifie", "sandbox")
    # saving again updates the same row
    client.post("/parametres/facturation-electronique", data={"vat_regime": "franchise", "pa_provider": "outbox"})
    with app.app_context():
        rows = db.session.execute(db.select(EinvoiceSettings).execution_options(all_shops=True)).scalars().all()
        assert [(r.vat_regime, r.option_debits) for r in rows] == [("franchise", False)]


def test_unknown_regime_is_refused_in_french(app, shop, as_role):
    client = as_role("owner")
    resp = client.post("/parametres/facturation-electronique", data={"vat_regime": "au_forfait", "pa_provider": "outbox"})
    assert resp.status_code == 422
    assert "Choisissez le régime de TVA de la boutique dans la liste." in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(EinvoiceSettings).execution_options(all_shops=True)).first() is None


@pytest.mark.parametrize("role", ["technician", "support"])
def test_only_the_owner_opens_the_settings(app, shop, as_role, role):
    assert as_role(role).get("/parametres/facturation-electronique").status_code == 403
