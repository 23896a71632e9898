"""The complaints register: 8 working days to answer, French public holidays excluded."""
import datetime as dt

import pytest

from qualirepar.complaints.calendar import due_on, is_working_day, public_holidays
from qualirepar.complaints.models import Complaint
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

D = dt.date


def test_the_public_holidays_move_with_easter():
    assert {D(2026, 4, 6), D(2026, 5, 14), D(2026, 5, 25)} <= public_holidays(2026)  # Easter Monday, Ascension, Whit Monday
    assert {D(2027, 3, 29), D(2027, 5, 6), D(2027, 5, 17)} <= public_holidays(2027)
    assert len(public_holidays(2026)) == 11


@pytest.mark.parametrize("received,due", [
    (D(2026, 11, 23), D(2026, 12, 3)),  # Monday: 8 working days, Sunday the 29th skipped
    (D(2026, 11, 6), D(2026, 11, 19)),  # Friday: the weekends and Wednesday 11 November skipped
    (D(2026, 12, 21), D(2027, 1, 4)),  # Christmas and New Year (Fridays) skipped
    (D(2026, 4, 30), D(2026, 5, 15)),  # 1 May, 8 May (Fridays) and Ascension (Thursday 14) skipped
    (D(2026, 11, 21), D(2026, 12, 2)),  # received on a Saturday: counting starts Monday
])
def test_eight_working_days(received, due):
    assert due_on(received) == due
    assert is_working_day(due)


def test_a_complaint_is_recorded_answered_and_late_ones_shown_to_the_owner(app, shop, as_role):
    client = as_role("support")
    html = client.post("/reclamations/nouvelle", data={"received_on": "2026-11-06", "channel": "email", "customer_name": "Léa Martin",
                                                      "order_number": "D-9999", "text": "Le lave-linge fuit encore."}).get_data(as_text=True)
    assert "Aucun dossier ne porte ce numéro." in html
    resp = client.post("/reclamations/nouvelle", data={"received_on": "2026-11-06", "channel": "email", "customer_name": "Léa Martin",
                                                      "order_number": "", "text": "Le lave-linge fuit encore."})
    assert resp.status_code == 303
    with app.app_context(), as_shop(shop.id):
        complaint = db.session.execute(db.select(Complaint)).scalar_one()
    assert complaint.due_on == D(2026, 11, 19)
    from .. import factories

    owner = factories.login_client(app, shop.emails["owner"])
    home = owner.get("/").get_data(as_text=True)
    assert 'data-testid="overdue-complaints"' in home and "Léa Martin" in home  # overdue: on the owner's home page
    html = client.post(f"/reclamations/{complaint.id}", data={"answered_on": "2026-11-01", "answer": "Nous passons."}).get_data(as_text=True)
    assert "La réponse ne peut pas précéder la réclamation." in html
    client.post(f"/reclamations/{complaint.id}", data={"answered_on": "2026-11-20", "answer": "Intervention sous garantie le 24."})
    assert "répondu hors délai" in client.get("/reclamations/").get_data(as_text=True)
    assert 'data-testid="overdue-complaints"' not in owner.get("/").get_data(as_text=True)
