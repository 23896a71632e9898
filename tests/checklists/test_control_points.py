"""Control points: defaults per fiche métier, answers checked by kind, measures out of limits
flagged, mandatory points blocking the order's transitions, the verification report."""
import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from qualirepar.checklists import services
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.repairs import services as repairs
from qualirepar.repairs import states
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from .helpers import fill, jpeg, order_of


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id, "Lave-linge")




def _point(order, phase, label_start):
    return next(r.point for r in services.rows(order, phase) if r.point.label.startswith(label_start))


def test_a_washing_machine_gets_the_electrical_safety_checks(ctx, order):
    labels = [r.point.label for r in services.rows(order_of(order), "checkout")]
    assert labels[:4] == ["Continuité du conducteur de protection", "Résistance d'isolement", "Courant de fuite",
                          "Essai fonctionnel complet"]
    assert services.missing(order_of(order), "checkin") == [
        "Appareil identifié : plaque signalétique lisible", "Photo de la plaque signalétique", "Panne constatée avec le client"]


@pytest.mark.parametrize("label,value,out", [
    ("Continuité", "0,25", False), ("Continuité", "0.31", True),
    ("Résistance", "1", False), ("Résistance", "0,9", True),
    ("Courant", "3,5", False), ("Courant", "3,6", True),
])
def test_measures_outside_their_limits_are_flagged(ctx, order, label, value, out):
    o = order_of(order)
    saved = services.answer(o, _point(o, "checkout", label), value)
    assert saved.out_of_limits is out and saved.number == __import__("decimal").Decimal(value.replace(",", "."))


@pytest.mark.parametrize("label,phase,value,message", [
    ("Appareil identifié", "checkin", "peut-être", "Répondez oui ou non."),
    ("Continuité", "checkout", "douze", "Valeur mesurée invalide"),
    ("Continuité", "checkout", "nan", "Valeur mesurée invalide"),
    ("Panne constatée", "checkin", "Autre chose", "Choisissez une des réponses proposées."),
    ("État apparent", "checkin", "  ", "Écrivez une réponse."),
    ("Photo de la plaque", "checkin", "", "Prenez ou choisissez une photo."),
])
def test_bad_answers_are_refused_in_french(ctx, order, label, phase, value, message):
    o = order_of(order)
    with pytest.raises(services.AnswerRefused, match=message):
        services.answer(o, _point(o, phase, label), value)


def test_a_photo_is_turned_upright_resized_and_stripped(ctx, order):
    o = order_of(order)
    upload = FileStorage(io.BytesIO(jpeg(size=(3000, 1000), orientation=6)), "plaque.jpg", content_type="image/jpeg")
    saved = services.answer(o, _point(o, "checkin", "Photo"), "", upload)
    stored = db.session.get(StoredFile, saved.file_id)
    with Image.open(io.BytesIO(get_storage().read(stored.storage_key))) as img:
        assert img.size == (667, 2000)  # rotated by the EXIF orientation, then fitted in 2000 px
        assert not img.getexif()


def test_mandatory_points_block_the_transition_and_say_which(ctx, order):
    o = order_of(order)
    with pytest.raises(states.ChecklistIncomplete) as info:
        repairs.transition(o, "start_diagnosis", guard=services.guard)
    assert "Photo de la plaque signalétique" in str(info.value) and o.status == "intake"
    fill(o, "checkin")
    repairs.transition(o, "start_diagnosis", guard=services.guard)
    repairs.transition(o, "start_repair", guard=services.guard)
    with pytest.raises(states.ChecklistIncomplete, match="Contrôles à la sortie incomplet"):
        repairs.transition(o, "finish", guard=services.guard)
    fill(o, "checkout")
    repairs.transition(o, "finish", guard=services.guard)
    assert o.status == "ready"


def test_answers_of_a_closed_order_cannot_change(ctx, order):
    o = order_of(order)
    repairs.transition(o, "abandon")
    with pytest.raises(services.AnswerRefused, match="clos"):
        services.answer(o, _point(o, "checkin", "Appareil identifié"), "oui")


def test_each_answer_is_saved_by_htmx_and_announced(app, as_role, shop, order):
    client = as_role("technician")
    with app.test_request_context(), as_shop(shop.id):
        point = _point(order_of(order), "checkin", "Appareil identifié")
    resp = client.post(f"/dossiers/{order}/controles/checkin/{point.id}", data={"value": "oui"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200 and resp.headers["HX-Trigger"] == "checklist-changed"
    assert "enregistré" in resp.get_data(as_text=True) and "<html" not in resp.get_data(as_text=True)
    bad = client.post(f"/dossiers/{order}/controles/checkin/{point.id}", data={"value": "?"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "Répondez oui ou non." in bad.get_data(as_text=True)


def test_the_order_page_blocks_with_the_list_of_missing_points(app, as_role, order):
    client = as_role("technician")
    page = client.post(f"/dossiers/{order}/start_diagnosis", follow_redirects=True).get_data(as_text=True)
    assert "incomplet" in page and "Photo de la plaque signalétique" in page


def test_the_verification_report_is_a_pdf(app, as_role, shop, order):
    with app.test_request_context(), as_shop(shop.id):
        fill(order_of(order), "checkin")
    resp = as_role("owner").get(f"/dossiers/{order}/controles/rapport.pdf")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    text = pdf.text(resp.data)
    assert "Rapport de vérification" in text and "Dossier D-" in text
    assert "Photo de la plaque signalétique" in text and "photo jointe au dossier" in text
    assert "Continuité du conducteur de protection" in text and "non renseigné" in text  # the check-out is still open


def test_another_shops_order_checklist_is_not_found(app, as_role, order):
    other = factories.make_shop(app)
    user = factories.make_user(app, other, "owner")
    client = app.test_client()
    client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    assert client.get(f"/dossiers/{order}/controles/checkin").status_code == 404


def test_a_point_of_another_phase_is_not_answerable_on_this_one(app, as_role, shop, order):
    with app.test_request_context(), as_shop(shop.id):
        checkout_point = _point(order_of(order), "checkout", "Essai fonctionnel")
    resp = as_role("technician").post(f"/dossiers/{order}/controles/checkin/{checkout_point.id}", data={"value": "oui"})
    assert resp.status_code == 404
    with app.test_request_context(), as_shop(shop.id):
        assert services.rows(order_of(order), "checkout")[3].answer is None
