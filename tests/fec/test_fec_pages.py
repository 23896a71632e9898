"""The owner's FEC page: the chart of accounts form (digits only, the PCG class, nothing half
saved), the period's summary, the download (name, character set, journaled as an export for the
tax authority), an empty period, a shop without SIRET."""
from __future__ import annotations

import datetime as dt
import html

from qualirepar.core.clock import paris_today
from qualirepar.extensions import db
from qualirepar.fec import accounts, export
from qualirepar.fec.forms import field_name
from qualirepar.fec.models import FecAccount
from qualirepar.fiscal import kinds
from qualirepar.fiscal.models import FiscalEntry
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from .. import factories
from . import helpers as h

TODAY = paris_today()
MONTH = f"{TODAY:%Y-%m}"


def _chart_form(**changes) -> dict:
    data = {"period": MONTH}
    for key, account in accounts.DEFAULTS.items():
        data[field_name(key, "number")], data[field_name(key, "label")] = account.number, account.label
    data.update(changes)
    return data


def _exports(app, shop_id) -> list[FiscalEntry]:
    with app.app_context(), as_shop(shop_id):
        return db.session.execute(db.select(FiscalEntry).where(FiscalEntry.kind == kinds.TAX_EXPORT)).scalars().all()


def test_only_the_owner_opens_the_fec_page(app, shop, auth, client):
    for role, status in (("technician", 403), ("support", 403), ("owner", 200)):
        auth.login(shop.emails[role])
        assert client.get("/comptabilite/fec").status_code == status, role
        auth.logout()


def test_an_account_number_that_is_not_digits_is_refused_in_french_and_nothing_is_saved(app, shop, as_role):
    """A47 A-1 VII: CompteNum is the account of the PCG, whose first characters are digits."""
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/plan-comptable",
                       data=_chart_form(**{field_name("cash", "number"): "53A", field_name("card", "number"): "5115"}))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "un numéro de compte ne contient que des chiffres" in page and 'value="53A"' in page
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(FecAccount)).scalars().all() == []  # the valid change was not saved either


def test_an_account_outside_its_pcg_class_is_refused(app, shop, as_role):
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/plan-comptable", data=_chart_form(**{field_name("services:20.00", "number"): "411"}))
    assert resp.status_code == 422 and "ce compte est de la classe 7 du plan comptable" in resp.get_data(as_text=True)


def test_the_owner_changes_an_account_and_the_page_shows_it(app, shop, as_role):
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/plan-comptable",
                       data=_chart_form(**{field_name("cash", "number"): "531000", field_name("cash", "label"): "Caisse atelier"}))
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Plan comptable enregistré (1 compte(s) modifié(s))." in page and 'value="531000"' in page
    with app.app_context(), as_shop(shop.id):
        assert accounts.chart(shop.id)["cash"] == accounts.Account("cash", "531000", "Caisse atelier")


def test_the_download_is_the_fec_of_the_month_named_and_journaled(app, shop, as_role):
    """A47 A-1 IX (SirenFECAAAAMMJJ.txt, the fiscal year's closing date), III 1° (ISO 8859-15);
    the export is a fiscal event (issue 19: «export pour l'administration fiscale»)."""
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        number = h.invoice(order_id, TODAY, bonus="50.00", organism="ecosystem").number
        siren = db.session.get(Shop, shop.id).siret[:9]
    client = as_role("owner")
    page = client.get(f"/comptabilite/fec?period={MONTH}").get_data(as_text=True)
    assert 'data-testid="fec-empty"' not in page and "150,00" in page
    resp = client.post("/comptabilite/fec/telecharger", data={"period": MONTH})
    assert resp.status_code == 200 and resp.mimetype == "text/plain" and resp.mimetype_params["charset"] == "iso-8859-15"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{siren}FEC{TODAY.year}1231.txt"'
    header, records = h.parse(resp.data)
    assert header == list(export.COLUMNS) and {r["PieceRef"] for r in records} == {number}
    (entry,) = _exports(app, shop.id)
    assert entry.payload["file"] == f"{siren}FEC{TODAY.year}1231.txt" and entry.payload["invoices"] == 1
    assert entry.payload["from"] == f"{TODAY:%Y-%m}-01"


def test_a_period_without_invoices_says_so_and_gives_the_header_alone(app, shop, as_role):
    client = as_role("owner")
    page = html.unescape(client.get(f"/comptabilite/fec?period={MONTH}").get_data(as_text=True))
    assert "Aucune écriture sur cette période : le fichier ne contiendra que la ligne d'en-tête" in page
    resp = client.post("/comptabilite/fec/telecharger", data={"period": MONTH})
    assert resp.status_code == 200 and resp.data == ("|".join(export.COLUMNS) + "\r\n").encode()


def test_a_shop_without_siret_is_told_to_fill_it_in_and_nothing_is_journaled(app, shop, as_role):
    with app.app_context():
        db.session.get(Shop, shop.id).siret = ""
        db.session.commit()
    client = as_role("owner")
    page = html.unescape(client.get("/comptabilite/fec").get_data(as_text=True))
    assert "Renseignez le SIRET de l'atelier" in page
    resp = client.post("/comptabilite/fec/telecharger", data={"period": MONTH})
    assert resp.status_code == 303
    assert "Renseignez le SIRET de l'atelier" in html.unescape(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert _exports(app, shop.id) == []


def test_a_period_not_offered_is_refused(app, shop, as_role):
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/telecharger", data={"period": "novembre"})
    assert resp.status_code == 303
    assert "Choisissez une période dans la liste." in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _exports(app, shop.id) == []


def test_a_fiscal_year_is_offered_and_named_by_its_closing_day(app, shop, as_role):
    client = as_role("owner")
    value = f"exercice-{TODAY.year}1231"
    assert f'value="{value}"' in client.get("/comptabilite/fec").get_data(as_text=True)
    resp = client.post("/comptabilite/fec/telecharger", data={"period": value})
    assert resp.data.startswith(b"JournalCode|")
    assert resp.headers["Content-Disposition"].endswith(f'FEC{TODAY.year}1231.txt"')
    assert _exports(app, shop.id)[0].payload["from"] == f"{TODAY.year}-01-01"


def test_the_summary_counts_the_period(app, shop):
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = h.invoice(order_id, TODAY)
        h.credit_note(invoice, TODAY)
        h.payment(invoice, "cash", "10.00", TODAY)
        s = export.summary(shop.id, TODAY.replace(day=1), TODAY + dt.timedelta(days=1))
    assert (s["invoices"], s["credit_notes"], s["payments"], s["transfers"], s["ht"], s["empty"]) == (1, 1, 1, 0, 0, False)


def test_one_account_number_has_one_name(app, shop, as_role):
    """A47 A-1 VII: CompteLib is the name of the account CompteNum: one name per number in the file."""
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/plan-comptable", data=_chart_form(**{field_name("transfer", "label"): "Banque BNP"}))
    assert resp.status_code == 422
    assert "Le compte 512000 a deux intitulés, « Banque » et « Banque BNP » : donnez-lui le même partout." in html.unescape(
        resp.get_data(as_text=True))
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(FecAccount)).scalars().all() == []


def test_another_shops_records_are_never_in_the_file(app, shop, as_role):
    other = factories.make_shop(app)
    order_id = h.order(app, other)
    with app.test_request_context(), as_shop(other):
        theirs = h.invoice(order_id, TODAY, bonus="50.00", organism="ecologic")
        h.payment(theirs, "cash", "130.00", TODAY)
        h.statement_line("ecologic", "VIR-X", TODAY, theirs.number, "50.00")
    resp = as_role("owner").post("/comptabilite/fec/telecharger", data={"period": MONTH})
    assert h.parse(resp.data) == (list(export.COLUMNS), [])
