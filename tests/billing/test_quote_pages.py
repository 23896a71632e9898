"""Quotes and invoices over HTTP: lines with French messages, the bonus on demand then frozen, the
customer's decision on the tablet or through the e-mailed link (no login), the invoice issued once
however often the button is pressed, its PDF, payment and credit note."""
import html
import re
import uuid

from qualirepar import mail
from qualirepar.billing.models import Invoice, Quote
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..factories import data_url
from .helpers import repaired, washing_machine_order


def _page(resp) -> str:
    return html.unescape(resp.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


def _quote(client, app, shop, order_id) -> int:
    assert client.post(f"/dossiers/{order_id}/devis").status_code == 303
    with app.app_context(), as_shop(shop.id):
        return db.session.execute(db.select(Quote.id).order_by(Quote.id.desc())).scalars().first()


def _lines(client, quote_id):
    for kind, label, qty, price in (("diagnosis", "Diagnostic", "1", "40"), ("labour", "Main-d'œuvre", "1,5", "50,00"),
                                    ("part", "Pompe de vidange", "1", "35")):
        resp = client.post(f"/devis/{quote_id}/lignes", data={"kind": kind, "label": label, "quantity": qty, "unit_price": price,
                                                              "vat_rate": "20.00", "part_origin": "new", "part_reference": "P-1"})
        assert resp.status_code == 303, _page(resp)


def test_a_quote_is_built_checked_validated_and_signed(app, shop):
    order_id = washing_machine_order(app, shop.id, email="lea@exemple.fr")
    tech = factories.login_client(app, shop.emails["technician"])
    quote_id = _quote(tech, app, shop, order_id)
    bad = tech.post(f"/devis/{quote_id}/lignes", data={"kind": "labour", "label": "", "quantity": "0", "unit_price": "douze",
                                                      "vat_rate": "20.00", "part_origin": "new"})
    page = _page(bad)
    assert bad.status_code == 422 and "Indiquez la désignation." in page and "Montant invalide" in page and "positif" in page
    _lines(tech, quote_id)
    page = _page(tech.get(f"/devis/{quote_id}"))
    assert "180,00 €" in page  # 150 HT + 30 VAT
    bonus = _page(tech.get(f"/devis/{quote_id}/bonus", headers={"HX-Request": "true"}))
    assert "Éligible : 50,00 €, payé par Ecologic." in bonus and "Pas d'identifiants Ecologic" in bonus
    assert tech.post(f"/devis/{quote_id}/valider", follow_redirects=True).status_code == 200
    page = _page(tech.get(f"/devis/{quote_id}"))
    assert "Bonus fixé à la validation : 50,00 €" in page and "130,00 €" in page
    refused = tech.post(f"/devis/{quote_id}/signer", data={"decision": "accept", "signer_name": "Léa Martin", "signature": ""},
                        follow_redirects=True)
    assert "Signez dans le cadre" in _page(refused)
    resp = tech.post(f"/devis/{quote_id}/signer", data={"decision": "accept", "signer_name": "Léa Martin", "signature": data_url()},
                     follow_redirects=True)
    assert "Devis accepté." in _page(resp)
    with app.app_context(), as_shop(shop.id):
        quote = db.session.get(Quote, quote_id)
        assert (quote.status, quote.decided_via, quote.signer_name) == ("accepted", "signature", "Léa Martin")
        assert quote.signature_file_id is not None


def test_the_customer_decides_through_the_link_without_login(app, shop):
    order_id = washing_machine_order(app, shop.id, email="lea@exemple.fr")
    tech = factories.login_client(app, shop.emails["technician"])
    quote_id = _quote(tech, app, shop, order_id)
    _lines(tech, quote_id)
    assert "Validez d'abord le devis" in _page(tech.post(f"/devis/{quote_id}/envoyer", follow_redirects=True))
    tech.post(f"/devis/{quote_id}/valider")
    tech.post(f"/devis/{quote_id}/envoyer")
    assert mail.outbox[-1]["To"] == "lea@exemple.fr"
    link = re.search(r"http://\S+/devis/lien/\S+", mail.outbox[-1].get_content()).group(0)
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    customer = app.test_client()  # no session
    page = _page(customer.get(path))
    assert "Devis DV-" in page and "Vous payez" in page and "130,00 €" in page
    assert customer.post(path, data={"decision": "accept"}).status_code == 200
    with app.app_context(), as_shop(shop.id):
        quote = db.session.get(Quote, quote_id)
        assert (quote.status, quote.decided_via) == ("accepted", "link")
    again = customer.get(path)
    assert again.status_code == 410 and "Vous avez déjà répondu" in _page(again)
    assert customer.get(path[:-3] + "xyz").status_code == 404  # a forged token


def test_the_invoice_is_issued_once_and_paid(app, shop):
    order_id = washing_machine_order(app, shop.id)
    tech = factories.login_client(app, shop.emails["technician"])
    quote_id = _quote(tech, app, shop, order_id)
    _lines(tech, quote_id)
    tech.post(f"/devis/{quote_id}/valider")
    tech.post(f"/devis/{quote_id}/signer", data={"decision": "accept", "signer_name": "Léa Martin", "signature": data_url()})
    with app.test_request_context(), as_shop(shop.id):
        repaired(db.session.get(RepairOrder, order_id))  # the repair marked done: the invoice is due
    key = str(uuid.uuid4())
    first = tech.post(f"/devis/{quote_id}/facturer", data={"issue_key": key})
    second = tech.post(f"/devis/{quote_id}/facturer", data={"issue_key": key})  # the double click
    assert first.status_code == second.status_code == 303 and first.headers["Location"] == second.headers["Location"]
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(Invoice.id))).scalar_one() == 1
        claim = db.session.execute(db.select(Claim)).scalar_one()
        assert claim.status == "queued" and claim.bonus_amount == 50
    invoice_url = first.headers["Location"]
    page = _page(tech.get(invoice_url))
    assert "Net à payer" in page and "130,00 €" in page and "statut « en file d'envoi »" in page
    data = tech.get(invoice_url + ".pdf").data
    assert pdf.pages(data) == 1 and "Net à payer 130,00 €" in " ".join(pdf.text(data).split())
    too_much = tech.post(invoice_url + "/paiements", data={"method": "card", "amount": "500"})
    assert too_much.status_code == 422 and "dépasse le reste à payer" in _page(too_much)
    assert tech.post(invoice_url + "/paiements", data={"method": "card", "amount": "130,00"}).status_code == 303
    assert "0,00 €" in _page(tech.get(invoice_url))
    assert tech.post(invoice_url + "/avoir", data={"reason": "Erreur", "issue_key": str(uuid.uuid4())}).status_code == 403  # owner or support
    support = factories.login_client(app, shop.emails["support"])
    resp = support.post(invoice_url + "/avoir", data={"reason": "Erreur de saisie", "issue_key": str(uuid.uuid4())})
    assert resp.status_code == 303 and "Avoir" in _page(support.get(resp.headers["Location"]))


def test_roles_and_tenancy(app, shop):
    order_id = washing_machine_order(app, shop.id)
    support = factories.login_client(app, shop.emails["support"])
    assert support.post(f"/dossiers/{order_id}/devis").status_code == 403
    tech = factories.login_client(app, shop.emails["technician"])
    quote_id = _quote(tech, app, shop, order_id)
    other = factories.make_shop(app)
    stranger = factories.login_client(app, factories.make_user(app, other, "owner").email)
    assert stranger.get(f"/devis/{quote_id}").status_code == 404
    assert stranger.post(f"/devis/{quote_id}/lignes", data={"kind": "labour", "label": "x", "quantity": "1", "unit_price": "1",
                                                           "vat_rate": "20.00", "part_origin": "new"}).status_code == 404
    assert stranger.post(f"/dossiers/{order_id}/devis").status_code == 404
