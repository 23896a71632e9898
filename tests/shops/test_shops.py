"""Shop settings: identity with checked SIRET/VAT, sites, fiches, users; bad input explained, nothing half-saved."""
import html
import io

import pytest
from PIL import Image

from qualirepar.audit import AuditEntry
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.shops.models import RepairSite, Shop, User

from .. import factories
from ..conftest import last_mail

GOOD = {"name": "Répar'Tout", "siret": "732 829 320 00074", "vat_number": "FR 44 732829320",
        "postcode": "75011", "city": "Paris", "phone": "01 23 45 67 89"}


def _shop(app, shop_id):
    with app.app_context():
        return db.session.get(Shop, shop_id)


def test_owner_saves_shop_identity(app, as_role, shop):
    resp = as_role("owner").post("/parametres/boutique", data=GOOD)
    assert resp.status_code == 303
    saved = _shop(app, shop.id)
    assert (saved.name, saved.siret, saved.vat_number) == ("Répar'Tout", "73282932000074", "FR44732829320")


@pytest.mark.parametrize("siret,message", [
    ("7328293200007", "Un SIRET compte 14 chiffres (vous en avez saisi 13)."),
    ("73282932000075", "la clé de contrôle ne correspond pas"),
    ("7328293200007A", "Le SIRET ne contient que des chiffres."),
])
def test_invalid_siret_is_explained_and_nothing_is_saved(app, as_role, shop, siret, message):
    before = _shop(app, shop.id).name
    resp = as_role("owner").post("/parametres/boutique", data={**GOOD, "siret": siret})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in html.unescape(page)
    assert 'value="Répar&#39;Tout"' in page  # the rest of the input is kept
    assert _shop(app, shop.id).name == before


def test_vat_number_must_match_the_siren(as_role):
    resp = as_role("owner").post("/parametres/boutique", data={**GOOD, "vat_number": "FR61852345677"})
    assert "ne correspond pas au SIREN" in resp.get_data(as_text=True)


def test_siret_of_another_shop_is_refused(app, as_role):
    factories.make_shop(app, siret="73282932000074")
    resp = as_role("owner").post("/parametres/boutique", data=GOOD)
    assert "déjà celui d'une autre boutique" in html.unescape(resp.get_data(as_text=True))


def _png(size=(40, 20)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "navy").save(buf, "PNG")
    return buf.getvalue()


def test_logo_upload_is_stored_and_served(app, as_role, shop):
    client = as_role("owner")
    resp = client.post("/parametres/boutique", data={**GOOD, "logo": (io.BytesIO(_png()), "logo.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    with app.app_context():
        logo = db.session.execute(db.select(StoredFile)).scalar_one()
        assert logo.content_type == "image/png" and logo.storage_key != "logo.png"
    served = client.get(f"/fichiers/{logo.id}")
    assert served.status_code == 200 and served.data == _png()


def test_a_text_file_named_png_is_refused_and_the_shop_unchanged(app, as_role, shop):
    resp = as_role("owner").post("/parametres/boutique", data={**GOOD, "logo": (io.BytesIO(b"not an image"), "logo.png")},
                                 content_type="multipart/form-data")
    assert "Type de fichier refusé" in resp.get_data(as_text=True)
    assert _shop(app, shop.id).name != "Répar'Tout"
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(StoredFile.id))).scalar_one() == 0


def test_site_is_created_edited_and_audited(app, as_role, shop):
    client = as_role("owner")
    assert client.post("/parametres/lieux/nouveau", data={"name": "Atelier Nord", "postcode": "59000", "active": "y"}).status_code == 303
    with app.app_context():
        site = db.session.execute(db.select(RepairSite)).scalar_one()
    client.post(f"/parametres/lieux/{site.id}", data={"name": "Atelier Nord", "postcode": "59800", "active": "y"})
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "repair_site", AuditEntry.action == "updated")).scalar_one()
        assert entry.changes["postcode"] == ["59000", "59800"]
        assert entry.user_id == shop.users["owner"].id and entry.shop_id == shop.id


def test_duplicate_site_name_is_explained(app, as_role, shop):
    factories.make_site(app, shop.id, name="Atelier Nord")
    resp = as_role("owner").post("/parametres/lieux/nouveau", data={"name": "Atelier Nord"})
    assert resp.status_code == 422
    assert "Un lieu porte déjà ce nom." in resp.get_data(as_text=True)


def test_invalid_postcode_is_explained(as_role):
    resp = as_role("owner").post("/parametres/lieux/nouveau", data={"name": "X", "postcode": "7500"})
    assert "Code postal à 5 chiffres." in resp.get_data(as_text=True)


def test_fiche_dates_must_be_in_order(as_role):
    resp = as_role("owner").post("/parametres/fiches-metier/nouveau",
                                 data={"code": "GEM", "certified_on": "2025-05-01", "valid_until": "2024-05-01"})
    assert "précède la date de certification" in resp.get_data(as_text=True)


def test_new_user_is_invited_by_email(app, as_role, shop):
    resp = as_role("owner").post("/parametres/utilisateurs/nouveau", data={
        "email": "Nouvelle@Exemple.fr", "first_name": "Léa", "last_name": "Petit", "role": "technician", "active": "y"})
    assert resp.status_code == 303
    msg = last_mail()
    assert msg["To"] == "nouvelle@exemple.fr" and "/mot-de-passe/" in msg.get_content()


def test_duplicate_user_email_is_refused_even_across_shops(app, as_role):
    other = factories.make_shop(app)
    factories.make_user(app, other, "owner", email="pris@exemple.fr")
    resp = as_role("owner").post("/parametres/utilisateurs/nouveau", data={
        "email": "pris@exemple.fr", "first_name": "Léa", "last_name": "Petit", "role": "technician", "active": "y"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "déjà utilisée" in page and 'value="Léa"' in page


def test_owner_cannot_demote_themself(app, as_role, shop):
    owner = shop.users["owner"]
    resp = as_role("owner").post(f"/parametres/utilisateurs/{owner.id}", data={
        "email": owner.email, "first_name": "A", "last_name": "B", "role": "support", "active": "y"})
    assert "propre rôle de gérant" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, owner.id).role == "owner"


def test_another_owner_can_be_demoted_while_one_remains(app, as_role, shop):
    second = factories.make_user(app, shop.id, "owner")
    client = as_role("owner")
    ok = client.post(f"/parametres/utilisateurs/{second.id}", data={
        "email": second.email, "first_name": "A", "last_name": "B", "role": "support", "active": "y"})
    assert ok.status_code == 303


def test_user_audit_entry_never_contains_the_password_hash(app, shop):
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "user")).scalars().all()
        assert rows
        for row in rows:
            assert row.changes.get("password_hash", [None, "•••"])[1] == "•••"


def test_invoice_prefix_is_checked_and_kept(app, as_role, shop):
    client = as_role("owner")
    resp = client.post("/parametres/boutique", data={**GOOD, "invoice_prefix": "F 2026 ?"})
    assert resp.status_code == 422 and "Lettres, chiffres, - _ / et {AAAA}" in html.unescape(resp.get_data(as_text=True))
    assert client.post("/parametres/boutique", data={**GOOD, "invoice_prefix": "ATL-{AAAA}-"}).status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Shop, shop.id).invoice_prefix == "ATL-{AAAA}-"


def test_a_business_note_of_rolled_back_work_is_not_written(app, shop):
    from qualirepar.audit import note
    from qualirepar.tenancy import as_shop

    with app.test_request_context(), as_shop(shop.id):
        site = db.session.get(RepairSite, factories.make_site(app, shop.id))
        note(site, "mailed_by_mistake")
        db.session.rollback()  # the work it described did not happen
        note(site, "checked")
        db.session.commit()  # a note with no row change beside it is still written at commit
        actions = db.session.execute(db.select(AuditEntry.action).where(AuditEntry.entity == "repair_site")).scalars().all()
    assert "checked" in actions and "mailed_by_mistake" not in actions
