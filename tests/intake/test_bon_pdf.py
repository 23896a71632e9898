"""The bon de prise en charge as a PDF: shop header and legal mentions, every label field, the shop's
own fields and terms, the signatures printed; downloadable, previewed with an example, mailed."""
import html

import pytest

from qualirepar import mail
from qualirepar.audit import AuditEntry
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..factories import data_url, intake_form, login_client


@pytest.fixture
def order(app, as_role, shop, kettle):
    owner = as_role("owner")
    owner.post("/parametres/prise-en-charge", data={"terms": "Les appareils non repris sous 3 mois sont réputés abandonnés.\n\n"
                                                             "Devis gratuit.", "state_x_access": "shown"})
    owner.post("/parametres/prise-en-charge/champs/nouveau", data={"label": "Animaux", "kind": "yes_no", "state": "shown"})
    tech = login_client(app, shop.emails["technician"])
    resp = tech.post("/dossiers/nouveau", data=intake_form(kettle, x_access="3e étage, code 1234", c_animaux="oui",
                                                            accessories="Socle", visible_condition="Rayé", symptom_code="QR13"))
    assert resp.status_code == 303
    with app.app_context(), as_shop(shop.id):
        return db.session.execute(db.select(RepairOrder.id)).scalar_one()


def test_the_bon_carries_every_field_on_one_page(app, shop, order):
    tech = login_client(app, shop.emails["technician"])
    resp = tech.get(f"/dossiers/{order}/bon.pdf")
    assert resp.status_code == 200 and resp.content_type == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("inline;") and "bon-prise-en-charge-D-" in resp.headers["Content-Disposition"]
    text = " ".join(pdf.text(resp.data).split())
    assert pdf.pages(resp.data) == 1
    with app.app_context():
        from qualirepar.shops.models import Shop

        the_shop = db.session.get(Shop, shop.id)
        name, siret = the_shop.name, the_shop.siret
    for expected in (name, f"SIRET {siret}", "Bon de prise en charge", "MARTIN Léa", "1 rue de la Paix", "69003 Lyon",
                     "06 12 34 56 78", "lea@exemple.fr", "Bouilloire", "Apple", "SN-AB1234", "Ne chauffe plus", "code symptôme QR13",
                     "Diagnostic et réparation", "Socle", "Rayé", "Accès au domicile", "3e étage, code 1234", "Animaux", "Oui",
                     "Réparation en atelier", "réputés abandonnés", "Devis gratuit."):
        assert expected in text, expected
    assert pdf.images(resp.data) == 0  # nothing signed yet


def test_signatures_are_printed(app, shop, order):
    tech = login_client(app, shop.emails["technician"])
    for role, name in (("customer", "Léa Martin"), ("technician", "Paul Tech")):
        assert tech.post(f"/dossiers/{order}/signatures/{role}", data={"signature": data_url(), "signer_name": name}).status_code == 303
    resp = tech.get(f"/dossiers/{order}/bon.pdf?telecharger=1")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    text = " ".join(pdf.text(resp.data).split())
    assert "Le client : Léa Martin" in text and "Le technicien : Paul Tech" in text and text.count("Signé le") == 2
    assert pdf.images(resp.data) == 2 and pdf.pages(resp.data) == 1


def test_a_warranty_return_says_so_on_the_bon(app, shop, order, kettle):
    from qualirepar.repairs import services as repairs

    from ..checklists.helpers import fill

    with app.test_request_context(), as_shop(shop.id):
        first = db.session.get(RepairOrder, order)
        for action, phase in (("start_diagnosis", "checkin"), ("start_repair", None), ("finish", "checkout"),
                              ("hand_back", None)):
            if phase:
                fill(first, phase)
            repairs.transition(first, action)
    tech = login_client(app, shop.emails["technician"])
    resp = tech.post("/dossiers/nouveau", data=intake_form(kettle))
    second = int(resp.headers["Location"].split("/dossiers/")[1].split("?")[0])
    text = " ".join(pdf.text(tech.get(f"/dossiers/{second}/bon.pdf").data).split())
    assert "Retour sous garantie de la réparation du dossier" in text and "sans bonus réparation" in text


def test_the_bon_is_mailed_to_the_customer(app, shop, order):
    tech = login_client(app, shop.emails["technician"])
    page = html.unescape(tech.get(f"/dossiers/{order}/bon/envoyer").get_data(as_text=True))
    assert 'value="lea@exemple.fr"' in page
    resp = tech.post(f"/dossiers/{order}/bon/envoyer", data={"email": "lea@exemple.fr"})
    assert resp.status_code == 303
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg["To"] == "lea@exemple.fr" and "Bon de prise en charge D-" in msg["Subject"]
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename().startswith("bon-prise-en-charge-D-")
    assert pdf.pages(attachment.get_content()) == 1
    with app.app_context(), as_shop(shop.id):
        actions = db.session.execute(db.select(AuditEntry.action).where(AuditEntry.entity_id == order)).scalars().all()
        assert "bon_mailed" in actions


def test_a_bad_address_is_explained_and_nothing_is_sent(app, shop, order):
    tech = login_client(app, shop.emails["technician"])
    resp = tech.post(f"/dossiers/{order}/bon/envoyer", data={"email": "lea@"})
    assert resp.status_code == 422 and "Adresse e-mail invalide." in html.unescape(resp.get_data(as_text=True))
    assert mail.outbox == []


def test_a_mail_server_failure_is_explained(app, shop, order, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(mail, "send", refuse)
    tech = login_client(app, shop.emails["technician"])
    resp = tech.post(f"/dossiers/{order}/bon/envoyer", data={"email": "lea@exemple.fr"}, follow_redirects=True)
    assert resp.status_code == 200 and "L'envoi a échoué" in html.unescape(resp.get_data(as_text=True))


def test_the_owner_previews_the_bon_with_an_example(app, as_role, shop, order):
    resp = as_role("owner").get("/parametres/prise-en-charge/apercu.pdf")
    assert resp.status_code == 200 and resp.content_type == "application/pdf"
    text = " ".join(pdf.text(resp.data).split())
    assert "APERÇU" in text and "EXEMPLE Camille" in text and "Devis gratuit." in text and "Accès au domicile" in text
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(RepairOrder.id))).scalar_one() == 1  # the example is not stored


def test_another_shops_bon_is_not_found(app, shop, order):
    other = factories.make_shop(app)
    stranger = login_client(app, factories.make_user(app, other, "owner").email)
    assert stranger.get(f"/dossiers/{order}/bon.pdf").status_code == 404
    assert stranger.post(f"/dossiers/{order}/bon/envoyer", data={"email": "x@exemple.fr"}).status_code == 404


def test_the_bon_keeps_the_details_of_its_day(app, shop, order, kettle):
    """The same customer comes back having moved: the new bon has the new address, the old one keeps its own."""
    from qualirepar.repairs.models import Customer

    with app.app_context(), as_shop(shop.id):
        customer_id = db.session.execute(db.select(Customer.id)).scalar_one()
    tech = login_client(app, shop.emails["technician"])
    resp = tech.post("/dossiers/nouveau", data=intake_form(kettle, customer_id=customer_id, street="8 avenue Neuve", serial_number="SN-2"))
    assert resp.status_code == 303
    old = " ".join(pdf.text(tech.get(f"/dossiers/{order}/bon.pdf").data).split())
    assert "1 rue de la Paix" in old and "8 avenue Neuve" not in old
    with app.app_context(), as_shop(shop.id):
        second = db.session.execute(db.select(RepairOrder.id).order_by(RepairOrder.id.desc())).scalars().first()
    assert "8 avenue Neuve" in " ".join(pdf.text(tech.get(f"/dossiers/{second}/bon.pdf").data).split())
