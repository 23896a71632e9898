"""The owner edits the check-in / check-out control points of each fiche métier: add, edit, reorder,
retire. Retired points stay on the orders that answered them and never block a new one."""
import pytest

from qualirepar.checklists import services
from qualirepar.checklists.models import ChecklistTemplate, ControlAnswer, ControlPoint
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs import states
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from .helpers import fill, order_of

BASE = "/parametres/controles"
CHECKIN_DEFAULTS = ["Appareil identifié : plaque signalétique lisible", "Photo de la plaque signalétique",
                    "Panne constatée avec le client", "État apparent et dommages constatés"]




def _points(app, shop_id, fiche="GEM", phase="checkin", active_only=True):
    """[(id, label, position, mandatory)] of a template, in order."""
    with app.test_request_context(), as_shop(shop_id):
        template = services.template_for(fiche, phase)
        query = db.select(ControlPoint).where(ControlPoint.template_id == template.id).order_by(ControlPoint.position)
        if active_only:
            query = query.where(ControlPoint.active.is_(True))
        return [(p.id, p.label, p.position, p.mandatory) for p in db.session.execute(query).scalars()]


def _labels(app, shop_id, fiche="GEM", phase="checkin"):
    return [p[1] for p in _points(app, shop_id, fiche, phase)]


def _point_id(app, shop_id, label_start, fiche="GEM", phase="checkin"):
    return next(p[0] for p in _points(app, shop_id, fiche, phase) if p[1].startswith(label_start))


def _form(**fields):
    data = dict(label="Câble d'alimentation en bon état", kind="yes_no", unit="", min_value="", max_value="", choices="", help="")
    data.update(fields)
    return data


# --- The pages ---------------------------------------------------------------------------------

def test_the_index_lists_the_shops_fiches_and_generic_with_their_counts(app, as_role, shop):
    factories.make_fiche(app, shop.id, "GEM")
    factories.make_fiche(app, shop.id, "FROID")
    page = as_role("owner").get(BASE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Gros électroménager" in html and "Appareils de froid" in html and "Autres produits" in html
    assert "Petit électroménager" not in html  # not one of the shop's fiches
    assert f"{BASE}/GEM/checkin" in html and f"{BASE}/FROID/checkout" in html and f"{BASE}/GENERIC/checkout" in html
    # GEM check-out: the 4 electrical checks + the water leak check; 4 mandatory
    assert "5 points dont 4 obligatoires" in html
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(ChecklistTemplate)).first() is None  # looking creates nothing


def test_an_expired_fiche_is_not_listed(app, as_role, shop):
    import datetime as dt

    factories.make_fiche(app, shop.id, "ECRANS", valid_until=dt.date(2020, 1, 1))
    assert "Écrans et téléviseurs" not in as_role("owner").get(BASE).get_data(as_text=True)


def test_the_editor_shows_the_default_points_in_order(app, as_role, shop):
    html = as_role("owner").get(f"{BASE}/GEM/checkin").get_data(as_text=True)
    positions = [html.index(label.replace("'", "&#39;")) for label in CHECKIN_DEFAULTS]
    assert positions == sorted(positions)
    assert "Ajouter un point" in html


@pytest.mark.parametrize("url", [f"{BASE}/NOPE/checkin", f"{BASE}/GEM/pendant"])
def test_an_unknown_fiche_or_phase_is_not_found(as_role, url):
    assert as_role("owner").get(url).status_code == 404


@pytest.mark.parametrize("role,shown", [("owner", True), ("technician", False), ("support", False)])
def test_the_owner_finds_the_page_in_the_settings_menu(as_role, role, shown):
    assert (f'href="{BASE}"' in as_role(role).get("/").get_data(as_text=True)) is shown


@pytest.mark.parametrize("role", ["technician", "support"])
def test_only_the_owner_may_edit(app, as_role, shop, role):
    point = _point_id(app, shop.id, "Appareil identifié")
    client = as_role(role)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/GEM/checkin").status_code == 403
    assert client.get(f"{BASE}/GEM/checkin/{point}").status_code == 403
    assert client.post(f"{BASE}/GEM/checkin", data=_form()).status_code == 403
    assert client.post(f"{BASE}/GEM/checkin/{point}", data=_form(label="Autre")).status_code == 403
    assert client.post(f"{BASE}/GEM/checkin/{point}/descendre").status_code == 403
    assert client.post(f"{BASE}/GEM/checkin/{point}/retirer").status_code == 403
    assert _labels(app, shop.id) == CHECKIN_DEFAULTS


# --- Add, edit, reorder --------------------------------------------------------------------------

def test_the_owner_adds_a_point_at_the_end(app, as_role, shop):
    resp = as_role("owner").post(f"{BASE}/GEM/checkout", data=_form(
        label="Température de l'eau", kind="measure", unit="°C", min_value="30", max_value="95,5", mandatory="y"))
    assert resp.status_code == 303 and resp.headers["Location"].split("#")[0].endswith(f"{BASE}/GEM/checkout")
    points = _points(app, shop.id, phase="checkout")
    assert points[-1][1:] == ("Température de l'eau", 5, True)
    assert [p[2] for p in points] == list(range(6))
    with app.app_context(), as_shop(shop.id):
        added = db.session.get(ControlPoint, points[-1][0])
        assert (added.kind, added.unit, str(added.min_value), str(added.max_value)) == ("measure", "°C", "30.0000", "95.5000")


def test_a_choice_point_keeps_its_options_one_per_line(app, as_role, shop):
    resp = as_role("owner").post(f"{BASE}/GENERIC/checkin", data=_form(
        label="Accessoires remis", kind="choice", choices="Aucun\r\n  Câble \r\n\r\nCâble et télécommande\n"))
    assert resp.status_code == 303
    with app.app_context(), as_shop(shop.id):
        point = db.session.execute(db.select(ControlPoint).where(ControlPoint.label == "Accessoires remis")).scalar_one()
        assert point.choices == ["Aucun", "Câble", "Câble et télécommande"]


def test_limits_and_options_are_dropped_for_the_kinds_that_do_not_use_them(app, as_role, shop):
    as_role("owner").post(f"{BASE}/GEM/checkin", data=_form(kind="yes_no", unit="mA", min_value="1", choices="a\nb"))
    with app.app_context(), as_shop(shop.id):
        point = db.session.execute(db.select(ControlPoint).where(ControlPoint.label.startswith("Câble"))).scalar_one()
        assert (point.unit, point.min_value, point.max_value, point.choices) == (None, None, None, None)


def test_the_owner_edits_a_point(app, as_role, shop):
    point = _point_id(app, shop.id, "État apparent")
    client = as_role("owner")
    form = client.get(f"{BASE}/GEM/checkin/{point}")
    assert form.status_code == 200 and 'value="État apparent et dommages constatés"' in form.get_data(as_text=True)
    resp = client.post(f"{BASE}/GEM/checkin/{point}", data=_form(label="État apparent, rayures et chocs", kind="text",
                                                                 mandatory="y", help="Décrivez ce que le client voit aussi."))
    assert resp.status_code == 303
    with app.app_context(), as_shop(shop.id):
        edited = db.session.get(ControlPoint, point)
        assert (edited.label, edited.mandatory, edited.help, edited.position) == (
            "État apparent, rayures et chocs", True, "Décrivez ce que le client voit aussi.", 3)
    client.post(f"{BASE}/GEM/checkin/{point}", data=_form(label="État apparent", kind="text"))  # box unticked
    with app.app_context(), as_shop(shop.id):
        edited = db.session.get(ControlPoint, point)
        assert (edited.label, edited.mandatory, edited.help) == ("État apparent", False, None)


def test_the_owner_moves_points_up_and_down(app, as_role, shop):
    client = as_role("owner")
    first, photo = _point_id(app, shop.id, "Appareil"), _point_id(app, shop.id, "Photo")
    assert client.post(f"{BASE}/GEM/checkin/{first}/descendre").status_code == 303
    assert _labels(app, shop.id)[:2] == [CHECKIN_DEFAULTS[1], CHECKIN_DEFAULTS[0]]
    client.post(f"{BASE}/GEM/checkin/{first}/monter")
    assert _labels(app, shop.id) == CHECKIN_DEFAULTS
    client.post(f"{BASE}/GEM/checkin/{first}/monter")  # already first: nothing moves
    last = _point_id(app, shop.id, "État")
    client.post(f"{BASE}/GEM/checkin/{last}/descendre")  # already last
    assert _labels(app, shop.id) == CHECKIN_DEFAULTS
    client.post(f"{BASE}/GEM/checkin/{photo}/monter")
    assert [p[2] for p in _points(app, shop.id)] == [0, 1, 2, 3]
    assert _labels(app, shop.id)[0] == CHECKIN_DEFAULTS[1]


def test_a_move_by_htmx_gets_the_list_back(app, as_role, shop):
    first = _point_id(app, shop.id, "Appareil")
    resp = as_role("owner").post(f"{BASE}/GEM/checkin/{first}/descendre", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html
    assert html.index("Photo de la plaque") < html.index("Appareil identifié")


# --- Validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields,message", [
    (dict(label=""), "Indiquez le point à contrôler."),
    (dict(label="x" * 201), "200 caractères au plus."),
    (dict(kind="choice", choices="Oui\n\n"), "Indiquez au moins deux réponses possibles, une par ligne."),
    (dict(kind="choice", choices="Bon\nbon"), "La réponse « bon » est en double."),
    (dict(kind="measure", min_value="5", max_value="1,5"), "Le maximum doit être supérieur ou égal au minimum."),
    (dict(kind="measure", min_value="douze"), "Nombre invalide : écrivez par exemple 12,5."),
    (dict(kind="measure", max_value="1,23456"), "4 décimales au plus."),
    (dict(kind="measure", max_value="1e12"), "Nombre trop grand."),
    (dict(kind="measure", unit="x" * 21), "20 caractères au plus."),
    (dict(help="x" * 301), "300 caractères au plus."),
    (dict(kind="autre"), "Choisissez un type de réponse dans la liste."),
])
def test_bad_input_is_refused_beside_the_field(app, as_role, shop, fields, message):
    resp = as_role("owner").post(f"{BASE}/GEM/checkin", data=_form(**fields))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message.replace("«", "&laquo;") in html or message in html
    assert "invalid-feedback" in html and "Le formulaire contient des erreurs" in html
    assert _labels(app, shop.id) == CHECKIN_DEFAULTS


def test_a_bad_edit_keeps_the_point_and_says_why(app, as_role, shop):
    point = _point_id(app, shop.id, "Panne constatée")
    resp = as_role("owner").post(f"{BASE}/GEM/checkin/{point}", data=_form(label="Panne", kind="choice", choices="Reproduite"))
    assert resp.status_code == 422 and "Indiquez au moins deux réponses possibles" in resp.get_data(as_text=True)
    assert "Panne constatée avec le client" in _labels(app, shop.id)


def test_the_kind_of_an_answered_point_cannot_change(app, as_role, shop):
    order = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(order), "checkin")
    point = _point_id(app, shop.id, "Appareil identifié")
    client = as_role("owner")
    refused = client.post(f"{BASE}/GEM/checkin/{point}", data=_form(label="Plaque lisible", kind="text"))
    assert refused.status_code == 422 and "Ce point a déjà des réponses" in refused.get_data(as_text=True)
    assert client.post(f"{BASE}/GEM/checkin/{point}", data=_form(label="Plaque lisible", kind="yes_no", mandatory="y")).status_code == 303
    assert "Plaque lisible" in _labels(app, shop.id)


# --- Retiring ---------------------------------------------------------------------------------------

def test_a_point_never_answered_is_deleted(app, as_role, shop):
    point = _point_id(app, shop.id, "Photo")
    client = as_role("owner")
    resp = client.post(f"{BASE}/GEM/checkin/{point}/retirer")
    assert resp.status_code == 303
    assert "« Photo de la plaque signalétique » est supprimé." in client.get(f"{BASE}/GEM/checkin").get_data(as_text=True)
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(ControlPoint, point) is None
    points = _points(app, shop.id)
    assert [p[1] for p in points] == [CHECKIN_DEFAULTS[0]] + CHECKIN_DEFAULTS[2:]
    assert [p[2] for p in points] == [0, 1, 2]


def test_an_answered_point_is_retired_but_stays_on_the_old_order(app, as_role, shop):
    old = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(old), "checkin")
    photo = _point_id(app, shop.id, "Photo")
    client = as_role("owner")
    assert client.post(f"{BASE}/GEM/checkin/{photo}/retirer").status_code == 303
    new = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        retired = db.session.get(ControlPoint, photo)
        assert retired is not None and retired.active is False
        assert [p[2] for p in _points(app, shop.id)] == [0, 1, 2]
        old_rows = services.rows(order_of(old), "checkin")
        assert photo in [r.point.id for r in old_rows if r.answer is not None]
        new_labels = [r.point.label for r in services.rows(order_of(new), "checkin")]
        assert "Photo de la plaque signalétique" not in new_labels
        assert services.missing(order_of(new), "checkin") == [CHECKIN_DEFAULTS[0], CHECKIN_DEFAULTS[2]]
        fill(order_of(new), "checkin")
        repairs.transition(order_of(new), "start_diagnosis", guard=services.guard)  # the retired point does not block
        assert db.session.execute(db.select(ControlAnswer).where(ControlAnswer.order_id == new,
                                                                 ControlAnswer.point_id == photo)).first() is None
    flashed = client.get(f"{BASE}/GEM/checkin").get_data(as_text=True)
    assert "est retiré : il reste sur les dossiers qui l&#39;ont déjà renseigné" in flashed
    editor = client.get(f"{BASE}/GEM/checkin").get_data(as_text=True)
    assert "Photo de la plaque signalétique" not in editor and editor.count('data-testid="setting-point"') == 3
    old_page = client.get(f"/dossiers/{old}/controles/checkin").get_data(as_text=True)
    assert "Photo de la plaque signalétique" in old_page and "point retiré" in old_page
    assert "Photo de la plaque signalétique" not in client.get(f"/dossiers/{new}/controles/checkin").get_data(as_text=True)
    # a retired point cannot be answered on an order that never had it
    assert client.post(f"/dossiers/{new}/controles/checkin/{photo}", data={"value": "x"}).status_code == 404


def test_the_report_of_an_old_order_keeps_the_retired_point(app, as_role, shop):
    old = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(old), "checkin")
    photo = _point_id(app, shop.id, "Photo")
    client = as_role("owner")
    client.post(f"{BASE}/GEM/checkin/{photo}/retirer")
    new = factories.make_order(app, shop.id, "Lave-linge")
    old_text = pdf.text(client.get(f"/dossiers/{old}/controles/rapport.pdf").data)
    assert "Photo de la plaque signalétique" in old_text and "photo jointe au dossier" in old_text
    assert "Photo de la plaque signalétique" not in pdf.text(client.get(f"/dossiers/{new}/controles/rapport.pdf").data)


def test_a_retired_point_can_no_longer_be_edited_or_moved(app, as_role, shop):
    old = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(old), "checkin")
    photo = _point_id(app, shop.id, "Photo")
    client = as_role("owner")
    client.post(f"{BASE}/GEM/checkin/{photo}/retirer")
    assert client.get(f"{BASE}/GEM/checkin/{photo}").status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{photo}/monter").status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{photo}/retirer").status_code == 404


def test_a_new_mandatory_point_blocks_an_order_that_was_complete(app, as_role, shop):
    order = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(order), "checkin")
        assert services.missing(order_of(order), "checkin") == []
    resp = as_role("owner").post(f"{BASE}/GEM/checkin", data=_form(label="Filtre de vidange vérifié", mandatory="y"))
    assert resp.status_code == 303
    with app.test_request_context(), as_shop(shop.id):
        with pytest.raises(states.ChecklistIncomplete, match="Filtre de vidange vérifié"):
            repairs.transition(order_of(order), "start_diagnosis", guard=services.guard)
        assert order_of(order).status == "intake"


def test_an_optional_new_point_does_not_block(app, as_role, shop):
    order = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(order), "checkin")
    as_role("owner").post(f"{BASE}/GEM/checkin", data=_form(label="Remarque"))
    with app.test_request_context(), as_shop(shop.id):
        repairs.transition(order_of(order), "start_diagnosis", guard=services.guard)


# --- Tenancy and belonging ----------------------------------------------------------------------

def test_another_shops_point_is_not_found(app, as_role, shop):
    other = factories.make_shop(app)
    foreign = _point_id(app, other, "Appareil")
    client = as_role("owner")
    assert client.get(f"{BASE}/GEM/checkin/{foreign}").status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{foreign}", data=_form()).status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{foreign}/monter").status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{foreign}/retirer").status_code == 404
    assert _labels(app, other) == CHECKIN_DEFAULTS


def test_a_point_of_another_template_is_not_found_here(app, as_role, shop):
    point = _point_id(app, shop.id, "Essai fonctionnel", phase="checkout")
    client = as_role("owner")
    assert client.get(f"{BASE}/GEM/checkin/{point}").status_code == 404
    assert client.post(f"{BASE}/GEM/checkin/{point}/retirer").status_code == 404
    assert client.post(f"{BASE}/FROID/checkout/{point}/retirer").status_code == 404


def test_template_changes_are_audited(app, as_role, shop):
    from qualirepar.audit import AuditEntry

    point = _point_id(app, shop.id, "État apparent")
    as_role("owner").post(f"{BASE}/GEM/checkin/{point}", data=_form(label="État", kind="text"))
    with app.app_context(), as_shop(shop.id):
        entries = db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "control_point", AuditEntry.entity_id == point, AuditEntry.action == "updated")).scalars().all()
        assert entries and entries[-1].changes["label"] == ["État apparent et dommages constatés", "État"]


def test_the_unit_and_limits_of_an_answered_measure_cannot_change(app, as_role, shop):
    order = factories.make_order(app, shop.id, "Lave-linge")
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(order), "checkout")
    with app.app_context(), as_shop(shop.id):
        point = db.session.execute(db.select(ControlPoint.id).where(ControlPoint.label.startswith("Continuité"))).scalar_one()
    client = as_role("owner")
    same = dict(label="Continuité du conducteur de protection", kind="measure", mandatory="y")
    refused = client.post(f"{BASE}/GEM/checkout/{point}", data=_form(**same, unit="MΩ", max_value="0,3"))
    assert refused.status_code == 422 and "son unité, ses limites et ses choix ne peuvent plus changer" in refused.get_data(as_text=True)
    refused = client.post(f"{BASE}/GEM/checkout/{point}", data=_form(**same, unit="Ω", max_value="0,5"))
    assert refused.status_code == 422
    ok = client.post(f"{BASE}/GEM/checkout/{point}", data=_form(**same, unit="Ω", max_value="0,3", help="Entre la fiche et la masse"))
    assert ok.status_code == 303  # the help text (and the label) may still be worded better
