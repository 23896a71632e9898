"""The Z report (issue 19): the daily closing printed — the shop, the day, the journal's numbers it
covers, the totals by rate and by method, the grand totals, the closing's hash and signature
(shortened). Rendered, read back as text, and drawn as an image to be looked at."""
import datetime as dt
from pathlib import Path

import pypdfium2

from qualirepar.extensions import db
from qualirepar.fiscal import closings, zreport
from qualirepar.tenancy import as_shop

from .. import pdf
from .test_closings import a_sale, at

SHOTS = Path(__file__).resolve().parent.parent / "browser" / "screenshots"


def test_the_z_report_shows_the_day_its_totals_and_its_signature(app, shop):
    day = dt.date(2026, 3, 10)
    with at(day):
        a_sale(app, shop)
        with app.test_request_context(), as_shop(shop.id):
            [closing] = closings.close_through(shop.id, day)
            entry = zreport.entry_of(closing)
            data = zreport.render_zreport(closing)
            expected_hash, expected_sig = zreport.short(entry.hash), zreport.short(entry.signature, 20, 10)
    text_ = " ".join(pdf.text(data).split())
    assert pdf.pages(data) == 1
    for expected in ("Rapport Z", "Clôture journalière", "mardi 10 mars 2026", "SIRET",
                     f"Opérations n° {closing.first_seq} à {closing.last_seq} du journal : 3 opération(s)",
                     f"Écriture de clôture n° {closing.entry_seq}",
                     "Factures 20 % 150,00 € 30,00 € 180,00 €", "Chiffre d'affaires net 150,00 € 30,00 € 180,00 €",
                     "Espèces 0,00 € 0,00 € 30,00 € 30,00 €", "Carte bancaire 100,00 € 0,00 € 0,00 € 100,00 €",
                     "1 facture(s)", "1 acompte(s)", "Grands totaux perpétuels", expected_hash, expected_sig):
        assert expected in text_, expected
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = pypdfium2.PdfDocument(data)[0]
    page.render(scale=1.6).to_pil().save(SHOTS / "zreport.png")  # looked at: see the report of helper 2


def test_the_owner_closes_the_day_and_opens_the_z_report(app, shop, as_role):
    a_sale(app, shop)
    client = as_role("owner")
    page = client.get("/parametres/clotures").get_data(as_text=True)
    assert "Clôturer la journée" in page and "Aucune clôture pour l'instant." in page
    done = client.post("/parametres/clotures/journee", follow_redirects=True).get_data(as_text=True)
    assert "clôturée" in done and "Rapport Z" in done and "Clôturer la journée</button>" not in done
    with app.app_context(), as_shop(shop.id):
        closing = closings.listing(shop.id)[0]
    resp = client.get(f"/parametres/clotures/{closing.id}/rapport-z.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert client.post("/parametres/clotures/journee", follow_redirects=True).status_code == 200  # again: nothing redone
    with app.app_context(), as_shop(shop.id):
        assert len(closings.listing(shop.id)) == 1


def test_only_the_owner_closes(app, shop, as_role):
    client = as_role("technician")
    assert client.get("/parametres/clotures").status_code == 403
    assert client.post("/parametres/clotures/journee").status_code == 403
    with app.app_context(), as_shop(shop.id):
        assert closings.listing(shop.id) == []
