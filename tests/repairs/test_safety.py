"""Safety that blocks (issue 16): an electrical safety measure out of its limits (NF EN 50678 tests
after repair: protective-conductor resistance ≤ 0.3 Ω, insulation ≥ 1 MΩ, protective-conductor
current ≤ 3.5 mA; `checklists/defaults.py` cites the sources) or any point marked as a safety point
refuses «Réparation terminée» and a hand-back as repaired; the way out is to measure again after
the repair, or to hand the appliance back out of service with a warning the customer signs."""
import datetime as dt
import io
import zipfile

import pytest

from qualirepar.checklists import safety, services
from qualirepar.checklists.models import ControlPoint
from qualirepar.extensions import db
from qualirepar.repairs import handback, states
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import Signature
from qualirepar.tenancy import as_shop

from .. import factories
from ..auditpack.helpers import csv_rows
from ..checklists.helpers import fill, order_of


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id, "Lave-linge")


def _point(order, label_start):
    return next(r.point for r in services.rows(order, "checkout") if r.point.label.startswith(label_start))


def _in_repair(order):
    fill(order, "checkin")
    repairs.transition(order, "start_diagnosis")
    repairs.transition(order, "start_repair")
    fill(order, "checkout")


def test_the_three_electrical_measures_are_safety_points_by_default_en_50678(ctx, order):
    o = order_of(order)
    flagged = [r.point.label for r in services.rows(o, "checkout") if r.point.safety]
    assert flagged == ["Continuité du conducteur de protection", "Résistance d'isolement", "Courant de fuite"]


@pytest.mark.parametrize("label,value", [("Continuité", "0,31"), ("Résistance", "0,4"), ("Courant", "3,6")])
def test_an_out_of_limit_safety_measure_refuses_reparation_terminee(ctx, order, label, value):
    o = order_of(order)
    _in_repair(o)
    services.answer(o, _point(o, label), value)
    with pytest.raises(safety.UnsafeAppliance) as info:
        repairs.transition(o, "finish")  # the service refuses, whatever the view
    message = str(info.value)
    assert "Réparation terminée impossible" in message and "hors limites" in message
    assert value in message  # the measure as typed, with its limit
    db.session.refresh(o)
    assert o.status == states.REPAIR and o.repaired_at is None


def test_the_message_names_the_measure_and_its_limit(ctx, order):
    o = order_of(order)
    _in_repair(o)
    services.answer(o, _point(o, "Résistance"), "0,4")
    assert [(f.label, f.result) for f in safety.failures(o)] == [("Résistance d'isolement", "0,4 MΩ (minimum 1 MΩ)")]


def test_repaired_and_measured_again_the_order_goes_to_pret(ctx, order):
    o = order_of(order)
    _in_repair(o)
    services.answer(o, _point(o, "Courant"), "4,2")
    with pytest.raises(safety.UnsafeAppliance):
        repairs.transition(o, "finish")
    services.answer(o, _point(o, "Courant"), "0,8")  # the repair redone, measured again
    repairs.transition(o, "finish")
    assert o.status == states.READY


def test_a_point_the_owner_marks_as_safety_blocks_too(app, ctx, order):
    o = order_of(order)
    _in_repair(o)
    functional = _point(o, "Essai fonctionnel")
    services.answer(o, functional, "non")
    repairs.transition(o, "finish")  # a failed functional test is not a safety point by default
    assert o.status == states.READY
    o2 = order_of(factories.make_order(app, o.shop_id, "Lave-linge", serial_number="WM-2"))
    _in_repair(o2)
    point = db.session.get(ControlPoint, functional.id)
    point.safety = True
    db.session.commit()
    services.answer(o2, point, "non")
    with pytest.raises(safety.UnsafeAppliance):
        repairs.transition(o2, "finish")


def test_an_unsafe_appliance_cannot_be_handed_back_as_repaired(ctx, order):
    o = order_of(order)
    _in_repair(o)
    repairs.transition(o, "finish")
    services.answer(o, _point(o, "Continuité"), "0,9")  # measured again at the counter: out of limits
    with pytest.raises(safety.UnsafeAppliance) as info:
        handback.hand_back(o, factories.data_url(), "Léa Martin")
    assert "hors service" in str(info.value)
    assert db.session.execute(db.select(Signature).where(Signature.order_id == o.id)).first() is None


def test_out_of_service_needs_a_written_warning_and_the_signature(ctx, order):
    o = order_of(order)
    _in_repair(o)
    services.answer(o, _point(o, "Résistance"), "0,2")
    with pytest.raises(handback.HandBackRefused) as info:
        handback.hand_back(o, factories.data_url(), "Léa Martin", out_of_service=True, warning="Danger")
    assert "avertissement" in str(info.value)
    with pytest.raises(Exception) as info:
        handback.hand_back(o, factories.data_url(drawn=False), "Léa Martin", out_of_service=True,
                           warning=handback.default_warning(o))
    assert "Le cadre est vide" in str(info.value)
    db.session.rollback()
    assert handback.of(o) is None and order_of(o.id).status == states.REPAIR


def test_handed_back_out_of_service_keeps_the_signed_warning_and_the_measures(ctx, order):
    o = order_of(order)
    _in_repair(o)
    services.answer(o, _point(o, "Résistance"), "0,2")
    warning = handback.default_warning(o)
    assert "HORS SERVICE" in warning and "Résistance d'isolement : 0,2 MΩ (minimum 1 MΩ)" in warning
    record = handback.hand_back(o, factories.data_url(), "Léa Martin", out_of_service=True, warning=warning)
    assert o.status == states.HANDED_BACK and o.repaired_at is None and o.handed_back_at is not None
    assert record.outcome == handback.OUT_OF_SERVICE and record.warning == warning
    assert record.failures == [{"label": "Résistance d'isolement", "result": "0,2 MΩ (minimum 1 MΩ)"}]
    signature = db.session.get(Signature, record.signature_id)
    assert (signature.role, signature.signer_name) == ("handback", "Léa Martin")


def test_the_audit_pack_synthesis_counts_the_unsafe_and_those_handed_back_out_of_service(app, shop, as_role):
    """Audit pack, controles/synthese.csv: an appliance with a safety measure out of its limits is
    not conform (its check-out incomplete), and one handed back out of service is counted."""
    unsafe_id = factories.make_order(app, shop.id, "Lave-linge", serial_number="WM-HS-1")
    safe_id = factories.make_order(app, shop.id, "Lave-linge", serial_number="WM-OK-1")
    with app.test_request_context(), as_shop(shop.id):
        unsafe, safe = order_of(unsafe_id), order_of(safe_id)
        for o in (unsafe, safe):
            _in_repair(o)
        services.answer(unsafe, _point(unsafe, "Courant"), "7")
        handback.hand_back(unsafe, factories.data_url(), "Léa Martin", out_of_service=True, warning=handback.default_warning(unsafe))
        repairs.transition(safe, "finish")
        today = unsafe.intake_on
    resp = as_role("owner").post("/audit/telecharger", data={"date_from": (today - dt.timedelta(days=1)).isoformat(),
                                                             "date_to": today.isoformat()})
    rows = csv_rows(zipfile.ZipFile(io.BytesIO(resp.data)), "controles/synthese.csv")
    checkout = next(r for r in rows if r["Fiche métier"] == "GEM" and r["Phase"] == "Contrôles à la sortie")
    assert (checkout["Dossiers"], checkout["Dossiers complets"], checkout["Dossiers incomplets"]) == ("2", "1", "1")
    assert checkout["Non conformes (mesure de sécurité hors limites)"] == "1"
    assert checkout["Restitués hors service"] == "1"
