"""The audit pack's page: the period it offers and refuses, who may download."""
import datetime as dt

import pytest

from qualirepar.auditpack import period

from .helpers import PERIOD

D = dt.date


@pytest.mark.parametrize("data,message", [
    ({"date_from": "", "date_to": "2025-03-31"}, "Indiquez la date de début de la période."),
    ({"date_from": "2025-01-01", "date_to": ""}, "Indiquez la date de fin de la période."),
    ({"date_from": "2025-04-01", "date_to": "2025-03-31"}, "La date de début (01/04/2025) est après la date de fin (31/03/2025)."),
    ({"date_from": "2024-01-01", "date_to": "2025-01-01"}, "La période dépasse 366 jours"),
])
def test_a_bad_period_is_refused_in_french(as_role, shop, data, message):
    resp = as_role("owner").post("/audit/telecharger", data=data)
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert message in resp.get_data(as_text=True).replace("&#39;", "'")


def test_technicians_may_not_download(as_role, shop):
    client = as_role("technician")
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/telecharger", data=PERIOD).status_code == 403


def test_the_form_offers_the_previous_quarter():
    assert period.previous_quarter(D(2026, 5, 10)) == (D(2026, 1, 1), D(2026, 3, 31))
    assert period.previous_quarter(D(2026, 1, 2)) == (D(2025, 10, 1), D(2025, 12, 31))
    assert period.previous_quarter(D(2026, 12, 31)) == (D(2026, 7, 1), D(2026, 9, 30))
    assert not period.bons_by_default(D(2026, 7, 1), D(2026, 9, 30)) and period.bons_by_default(D(2026, 1, 1), D(2026, 1, 31))


def test_the_page_lists_the_contents(as_role, shop):
    html = as_role("support").get("/audit/").get_data(as_text=True)
    for expected in ("prises_en_charge.csv", "retours_3_mois.csv", "reclamations.csv", "demandes_bonus.csv", "Inclure les bons en PDF"):
        assert expected in html
    assert 'name="date_from"' in html and 'name="date_to"' in html
