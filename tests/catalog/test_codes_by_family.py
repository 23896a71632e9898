"""Each appliance gets the symptom codes that belong to it (qualirepar/data/iris_codes.csv, `groups`).

Sources: the DigitalEurope/EACEM IRIS symptom table (https://doczz.pl/doc/4831841/symptomtable---iris-code)
is the consumer-electronics list: remote control (15x), picture tube and high-voltage discharge
(141, 142), tuning (135) are audio/video symptoms; its general groups (110 power, 160 mechanical
damage, 170 general operation, 180 special requirements) fit every appliance. The domestic
appliances' water, cold and suction symptoms are the project's provisional QRxx codes (the
CECED domestic-appliance table it cites was not reachable), replaced by the organism's own
per-product list once synchronised."""
import datetime as dt

import pytest

from qualirepar.catalog import pickers
from qualirepar.catalog.loader import ensure_iris_codes, load_csv
from qualirepar.catalog.models import Code, ProductType
from qualirepar.catalog.reference import appliance_group, iris_symptoms_for, rows
from qualirepar.extensions import db

AUDIO_VIDEO = {"141", "142", "135", "150", "151", "152", "153", "174"}  # tube, tuning, remote control, timer recording


def _codes(product_name: str) -> set[str]:
    product = db.session.execute(db.select(ProductType).where(ProductType.name == product_name)).scalar_one()
    return {c.code for c in pickers.symptom_choices(product.id)}


@pytest.fixture
def catalog(app, ctx):
    load_csv()
    yield


def test_a_washing_machine_gets_water_and_draining_symptoms_and_no_audio_video_ones(catalog):
    """DigitalEurope IRIS symptom table: 141/142 (picture tube), 15x (remote control) are audio/video."""
    codes = _codes("Lave-linge")
    assert {"QR11", "QR12", "QR13", "QR14"} <= codes  # fills, drains, leaks, spins
    assert not codes & AUDIO_VIDEO
    assert {"110", "161", "170"} <= codes  # the table's general groups: power, mechanical damage, operation


def test_a_television_keeps_the_audio_video_list_and_no_water_symptoms(catalog):
    """DigitalEurope IRIS symptom table: the consumer-electronics list is the television's."""
    codes = _codes("Téléviseur")
    assert AUDIO_VIDEO <= codes
    assert not {c for c in codes if c.startswith("QR1")}


def test_a_fridge_gets_cold_symptoms_a_dishwasher_draining_a_vacuum_suction(catalog):
    fridge, dishwasher, vacuum = _codes("Réfrigérateur / congélateur"), _codes("Lave-vaisselle"), _codes("Aspirateur (balai, robot, traîneau)")
    assert {"QR31", "QR33"} <= fridge and "QR12" not in fridge and not fridge & AUDIO_VIDEO
    assert {"QR11", "QR12", "QR21"} <= dishwasher and "QR14" not in dishwasher
    assert "QR52" in vacuum and "QR12" not in vacuum and not vacuum & AUDIO_VIDEO


def test_a_phone_gets_battery_symptoms_and_no_remote_control_or_water(catalog):
    """DigitalEurope IRIS symptom table: 121-123 (charging) fit battery appliances."""
    codes = _codes("Téléphone portable")
    assert {"121", "122", "123"} <= codes
    assert not codes & {"141", "142", "150", "151", "QR12", "QR31"}


def test_every_product_of_the_grid_has_a_group_and_a_list():
    for r in rows("bonus_amounts.csv"):
        assert appliance_group(r["category"], r["family"]), r["category"]
        assert len(iris_symptoms_for(r["category"], r["family"])) >= 15, r["category"]


def test_the_organisms_own_list_for_a_product_replaces_the_general_one(catalog):
    washer = db.session.execute(db.select(ProductType).where(ProductType.name == "Lave-linge")).scalar_one()
    db.session.add(Code(organism="ecologic", kind="symptom", code="XX4", label="Ne vidange pas (Ecologic)", norm="xx4nevidangepas",
                        product_type_id=washer.id, valid_from=dt.date(2023, 1, 1)))
    db.session.commit()
    assert [c.code for c in pickers.symptom_choices(washer.id)] == ["XX4"]


def test_search_narrows_the_list_by_label(catalog):
    washer = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()
    assert [c.code for c in pickers.symptom_choices(washer, "vidange")] == ["QR12"]


def test_a_catalog_loaded_before_gets_the_new_codes_and_loses_none(catalog):
    db.session.execute(db.delete(Code).where(Code.code.like("QR%")))
    db.session.commit()
    assert "QR12" not in _codes("Lave-linge")
    assert load_csv() == {"codes mis à jour": 18}
    assert "QR12" in _codes("Lave-linge")
    assert ensure_iris_codes() == 0
