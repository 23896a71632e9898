"""The shop's bon de prise en charge: which fields show and are required, its own fields, its terms.
The label's fields are always there; the rules hold per configuration."""
import html

import pytest

from qualirepar.extensions import db
from qualirepar.intake import services
from qualirepar.intake.models import IntakeCustomField, IntakeSettings
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..factories import intake_form, login_client


def _page(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _orders(app, shop) -> list[RepairOrder]:
    with app.app_context(), as_shop(shop.id):
        return list(db.session.execute(db.select(RepairOrder).order_by(RepairOrder.id)).scalars())


def _settings(client, terms="", **states):
    data = {f"state_{k}": v for k, v in states.items()}
    data["terms"] = terms
    return client.post("/parametres/prise-en-charge", data=data)


def _add_field(client, **fields):
    data = {"label": "Code du portail", "kind": "text", "state": "shown", "choices": "", "help": ""}
    data.update(fields)
    return client.post("/parametres/prise-en-charge/champs/nouveau", data=data)


def test_by_default_the_extra_fields_are_hidden_and_only_the_core_is_required(app, as_role, shop, kettle):
    client = login_client(app, shop.emails["technician"])
    page = _page(client.get("/dossiers/nouveau"))
    assert "Appareil hors garantie" not in page and "Informations complémentaires" not in page
    for label in ("E-mail", "Date d'achat", "Accessoires laissés", "État apparent", "Référence commerciale (modèle)"):
        assert label in page  # the label's fields are always on the bon
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, email=""))
    assert resp.status_code == 303
    assert _orders(app, shop)[0].extra == {}


@pytest.mark.parametrize("key,form_field,message", [
    ("email", "email", "Ce champ est obligatoire."),
    ("purchase_date", "purchase_date", "Ce champ est obligatoire."),
    ("accessories", "accessories", "Ce champ est obligatoire."),
])
def test_a_label_field_made_required_is_required(app, as_role, shop, kettle, key, form_field, message):
    assert _settings(as_role("owner"), **{key: "required"}).status_code == 303
    client = login_client(app, shop.emails["technician"])
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, **{form_field: ""}))
    assert resp.status_code == 422 and message in _page(resp)
    assert _orders(app, shop) == []
    filled = {"email": "lea@exemple.fr", "purchase_date": "2022-03-01", "accessories": "Socle"}[key]
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, **{form_field: filled})).status_code == 303


def test_a_label_field_cannot_be_hidden(app, as_role, shop):
    resp = _settings(as_role("owner"), email="hidden", x_backup="shown")
    assert resp.status_code == 422 and "Les champs du label ne peuvent pas être masqués." in _page(resp)
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(IntakeSettings)).scalar_one_or_none() is None  # nothing half-saved


def test_an_unknown_state_is_refused(app, as_role, shop):
    resp = _settings(as_role("owner"), x_backup="sometimes")
    assert resp.status_code == 422 and "Choix invalide." in _page(resp)


def test_a_known_extra_field_shown_then_required(app, as_role, shop, kettle):
    owner = as_role("owner")
    _settings(owner, x_out_of_warranty="shown", x_ceiling="shown")
    client = login_client(app, shop.emails["technician"])
    page = _page(client.get("/dossiers/nouveau"))
    assert "Appareil hors garantie (vérifié avec le client)" in page and "Montant maximal accepté sans devis (€)" in page
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, serial_number="SN-1")).status_code == 303  # shown, not required
    _settings(owner, x_out_of_warranty="required", x_ceiling="shown")
    client = login_client(app, shop.emails["technician"])
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, serial_number="SN-2", x_ceiling="cent"))
    page = _page(resp)
    assert resp.status_code == 422 and "Ce champ est obligatoire." in page and "Nombre invalide" in page
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, serial_number="SN-2", x_out_of_warranty="oui", x_ceiling="1 200,50"))
    assert resp.status_code == 303
    extra = _orders(app, shop)[-1].extra
    assert extra["x_out_of_warranty"] == {"label": "Appareil hors garantie (vérifié avec le client)", "kind": "yes_no", "value": "oui"}
    assert extra["x_ceiling"]["value"] == "1200.50"


def test_custom_fields_of_each_kind(app, as_role, shop, kettle):
    owner = as_role("owner")
    assert _add_field(owner, label="Code du portail").status_code == 303
    assert _add_field(owner, label="Nombre d'étages", kind="number", state="required").status_code == 303
    assert _add_field(owner, label="Date de livraison", kind="date").status_code == 303
    assert _add_field(owner, label="Pièce d'installation", kind="choice", choices="Cuisine\nBuanderie\n\ncuisine\nGarage").status_code == 303
    assert _add_field(owner, label="Animaux", kind="yes_no").status_code == 303
    with app.app_context(), as_shop(shop.id):
        fields = {f.label: f for f in services.custom_fields()}
        assert fields["Pièce d'installation"].choices == ["Cuisine", "Buanderie", "Garage"]  # blank lines and repeats dropped
        keys = {label: f.key for label, f in fields.items()}
    assert keys["Code du portail"] == "c_code_du_portail" and keys["Nombre d'étages"] == "c_nombre_d_etages"
    client = login_client(app, shop.emails["technician"])
    page = _page(client.get("/dossiers/nouveau"))
    assert all(label in page for label in keys)
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, **{keys["Pièce d'installation"]: "Grenier"}))
    page = _page(resp)
    assert resp.status_code == 422 and "Ce champ est obligatoire." in page  # the required number is missing
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, **{
        keys["Code du portail"]: "B1234", keys["Nombre d'étages"]: "3", keys["Date de livraison"]: "2026-01-15",
        keys["Pièce d'installation"]: "Buanderie", keys["Animaux"]: "non"}))
    assert resp.status_code == 303, _page(resp)
    extra = _orders(app, shop)[-1].extra
    assert {k: v["value"] for k, v in extra.items()} == {
        keys["Code du portail"]: "B1234", keys["Nombre d'étages"]: "3", keys["Date de livraison"]: "2026-01-15",
        keys["Pièce d'installation"]: "Buanderie", keys["Animaux"]: "non"}


def test_a_bad_choice_is_refused_in_french(app, as_role, shop, kettle):
    owner = as_role("owner")
    _add_field(owner, label="Pièce", kind="choice", choices="Cuisine\nGarage")
    with app.app_context(), as_shop(shop.id):
        key = services.custom_fields()[0].key
    resp = login_client(app, shop.emails["technician"]).post("/dossiers/nouveau", data=intake_form(kettle, **{key: "Grenier"}))
    page = _page(resp)
    assert resp.status_code == 422 and "N'est pas un choix valide." in page


@pytest.mark.parametrize("fields,message", [
    ({"label": ""}, "Donnez un libellé au champ."),
    ({"kind": "choice", "choices": "Seul"}, "Indiquez au moins deux choix, un par ligne."),
    ({"kind": "color"}, "N'est pas un choix valide."),
])
def test_a_bad_custom_field_is_explained(app, as_role, shop, fields, message):
    resp = _add_field(as_role("owner"), **fields)
    assert resp.status_code == 422 and message in _page(resp)
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(IntakeCustomField)).first() is None


def test_the_value_keeps_the_label_of_the_day_and_a_hidden_field_is_not_taken(app, as_role, shop, kettle):
    owner = as_role("owner")
    _add_field(owner, label="Code du portail")
    with app.app_context(), as_shop(shop.id):
        field = services.custom_fields()[0]
        field_id, key = field.id, field.key
    login_client(app, shop.emails["technician"]).post("/dossiers/nouveau", data=intake_form(kettle, **{key: "B12"}))
    assert owner.post(f"/parametres/prise-en-charge/champs/{field_id}", data={
        "label": "Digicode", "kind": "text", "state": "hidden", "choices": "", "help": ""}).status_code == 303
    owner.get("/parametres/prise-en-charge")  # the confirmation is read
    assert _orders(app, shop)[0].extra[key]["label"] == "Code du portail"
    client = login_client(app, shop.emails["technician"])
    assert "Digicode" not in _page(client.get("/dossiers/nouveau"))
    client.post("/dossiers/nouveau", data=intake_form(kettle, serial_number="SN-2", **{key: "X"}))
    assert _orders(app, shop)[1].extra == {}


def test_custom_fields_are_ordered_and_deleted(app, as_role, shop):
    owner = as_role("owner")
    for label in ("Un", "Deux", "Trois"):
        _add_field(owner, label=label)
    with app.app_context(), as_shop(shop.id):
        ids = {f.label: f.id for f in services.custom_fields()}
    assert owner.post(f"/parametres/prise-en-charge/champs/{ids['Trois']}/monter").status_code == 303
    assert owner.post(f"/parametres/prise-en-charge/champs/{ids['Un']}/monter").status_code == 303  # already first
    owner.post(f"/parametres/prise-en-charge/champs/{ids['Deux']}/supprimer")
    with app.app_context(), as_shop(shop.id):
        assert [f.label for f in services.custom_fields()] == ["Un", "Trois"]
    assert owner.post(f"/parametres/prise-en-charge/champs/{ids['Un']}/ailleurs").status_code == 404


def test_terms_are_saved_and_previewed(app, as_role, shop):
    owner = as_role("owner")
    preview = owner.post("/parametres/prise-en-charge/apercu-conditions", data={"terms": "Premier paragraphe.\n\nSecond <b>paragraphe</b>."},
                         headers={"HX-Request": "true"})
    body = preview.get_data(as_text=True)
    assert body.count("<p") == 2 and "&lt;b&gt;" in body  # paragraphs, escaped
    assert _settings(owner, terms="Garantie 3 mois sur la réparation.").status_code == 303
    assert "Garantie 3 mois sur la réparation." in _page(owner.get("/parametres/prise-en-charge"))


def test_only_the_owner_configures_the_bon(app, as_role, shop):
    for role in ("technician", "support"):
        client = login_client(app, shop.emails[role])
        assert client.get("/parametres/prise-en-charge").status_code == 403
        assert _add_field(client).status_code == 403


def test_another_shops_field_is_not_found(app, as_role, shop):
    from .. import factories

    _add_field(as_role("owner"))
    with app.app_context(), as_shop(shop.id):
        field_id = services.custom_fields()[0].id
    other = factories.make_shop(app)
    user = factories.make_user(app, other, "owner")
    client = app.test_client()
    client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    assert client.get(f"/parametres/prise-en-charge/champs/{field_id}").status_code == 404
    assert client.post(f"/parametres/prise-en-charge/champs/{field_id}/supprimer").status_code == 404


@pytest.mark.parametrize("typed", ["1e-2000000", "1E+40", "NaN", "12,5,3"])
def test_a_number_no_shop_types_is_refused(app, as_role, shop, kettle, typed):
    _settings(as_role("owner"), x_ceiling="shown")
    resp = login_client(app, shop.emails["technician"]).post("/dossiers/nouveau", data=intake_form(kettle, x_ceiling=typed))
    assert resp.status_code == 422 and "Nombre invalide" in _page(resp)
    assert _orders(app, shop) == []
