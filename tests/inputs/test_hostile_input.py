"""Hostile input answered in French, never a server error, nothing written (issue 17). PostgreSQL
refuses a NUL byte in any text and has 32-bit integer keys: both are stopped before the database."""
import pytest

from qualirepar.extensions import db
from qualirepar.repairs.models import Customer


@pytest.mark.parametrize("value", ["Mar\x00tin", "A\x07B", "\x1b[31m", "x\x7f"])
def test_a_control_character_in_a_query_is_refused_in_french(as_role, shop, value):
    resp = as_role("owner").get("/dossiers/", query_string={"q": value})
    assert resp.status_code == 400
    assert "Caractère de contrôle refusé dans « q »" in resp.get_data(as_text=True)


def test_a_nul_byte_in_a_form_writes_nothing(app, as_role, shop, kettle):
    from .. import factories

    client = as_role("technician")
    form = factories.intake_form(kettle, last_name="Dup\x00ont")
    resp = client.post("/dossiers/nouveau", data=form)
    assert resp.status_code == 400 and "« last_name »" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Customer.id))).scalar_one() == 0


def test_tabs_and_line_breaks_are_ordinary_text(as_role, shop):
    assert as_role("owner").get("/dossiers/", query_string={"q": "Martin\tLéa\r\n"}).status_code == 200


@pytest.mark.parametrize("order_id", ["9" * 400, str(2**31), "2147483648"])
def test_an_id_beyond_the_database_s_integers_is_a_page_that_does_not_exist(as_role, shop, order_id):
    resp = as_role("owner").get(f"/dossiers/{order_id}")
    assert resp.status_code == 404 and "Page introuvable" in resp.get_data(as_text=True)


def test_the_largest_id_is_still_looked_up(as_role, shop):
    assert as_role("owner").get(f"/dossiers/{2**31 - 1}").status_code == 404  # looked up, not found: no overflow
