"""The three dashboards and the explorer in Chromium, on the tablet and on the counter PC: the
charts fit the screen with their table behind, each role lands on its own page, and the explorer
filters, sorts, pages, saves a view and exports it without the page scrolling sideways."""
import csv
import datetime as dt
import io

import pytest

from qualirepar.claims.models import ClaimEvent
from qualirepar.extensions import db
from qualirepar.shops.models import User
from qualirepar.tenancy import as_shop

from ..explorer.test_explorer import _claim, _hand_back, _intake
from .conftest import shot
from .helpers import login, open_menu_if_collapsed
from qualirepar.core.clock import paris_today

pytestmark = pytest.mark.browser
PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def history(app, shop):
    """Thirty claims over the last months (paid, refused, waiting), today's orders for the technician,
    and a warranty return."""
    today = paris_today()
    with app.test_request_context(), as_shop(shop.id):
        technician = db.session.execute(db.select(User.id).where(User.role == "technician")).scalar_one()
        for n in range(30):
            day = today - dt.timedelta(days=5 * n + 1)
            order = _intake(brand_name="Bosch" if n % 2 else "SEB", intake_on=day, technician_id=technician)
            status = "rejected" if n < 3 else "paid" if n < 15 else "submitted"
            claim = _claim(order, day, organism="ecologic" if n % 3 == 0 else "ecosystem", status=status, bonus=f"{20 + n}.00",
                   paid=f"{20 + n}.00" if status == "paid" else None, error="07 : Numéro de série absent" if status == "rejected" else None)
            if status == "rejected":
                db.session.add(ClaimEvent(claim_id=claim.id, status_before="submitted", status_after="rejected", text=claim.last_error))
                db.session.commit()
        first = _intake(serial_number="WM-RETURN-1", intake_on=today - dt.timedelta(days=40), technician_id=technician)
        _hand_back(first, dt.datetime.combine(today - dt.timedelta(days=30), dt.time(12), tzinfo=PARIS))
        _intake(serial_number="WM-RETURN-1", intake_on=today, technician_id=technician, fault_description="Fuit de nouveau")
        for _ in range(2):
            _intake(intake_on=today, technician_id=technician)
    return shop


WIDER = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
  && getComputedStyle(e).visibility !== 'hidden').slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _no_sideways_scroll(page) -> None:
    """Nothing wider than the screen: the page never scrolls sideways (a wide table scrolls in its own box)."""
    wider = page.evaluate(WIDER)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wider


def test_the_owner_dashboard_charts_fit_the_screen_with_a_table_behind(page, live_server, history):
    login(page, live_server, history.emails["owner"])
    charts = page.get_by_test_id("chart")
    assert charts.count() == 5
    width = page.viewport_size["width"]
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        # The numbers behind the bars, for a screen reader: a real table, out of sight but in the page.
        assert charts.nth(i).locator("table caption").count() == 1
    assert page.get_by_test_id("top-reasons").get_by_text("07 : Numéro de série absent").is_visible()
    _no_sideways_scroll(page)
    shot(page, "dashboard-owner-charts")


def test_support_and_technician_land_on_their_own_dashboards(page, live_server, history):
    login(page, live_server, history.emails["support"])
    to_fix = page.get_by_test_id("rejections")
    assert to_fix.get_by_role("link").count() == 3
    _no_sideways_scroll(page)
    shot(page, "dashboard-support")
    with page.expect_navigation():
        to_fix.get_by_role("link").first.click()
    assert "/demandes/" in page.url
    page.context.clear_cookies()
    login(page, live_server, history.emails["technician"])
    assert page.get_by_test_id("today").get_by_role("link").count() == 3
    assert page.get_by_test_id("returns").get_by_role("link").count() == 1
    _no_sideways_scroll(page)
    shot(page, "dashboard-technician")


def test_the_explorer_filters_sorts_pages_saves_and_exports(page, live_server, history):
    login(page, live_server, history.emails["support"])
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Registres").or_(page.get_by_role("link", name="Registres")).first.click()
    page.get_by_role("link", name="Explorateur").click()
    page.wait_for_url("**/explorateur/")
    page.get_by_test_id("datasets").get_by_role("link", name="Demandes de bonus").click()
    page.wait_for_url("**dataset=claims")
    count = page.get_by_test_id("row-count")
    assert count.inner_text() == "30 lignes"
    # A filter refreshes the rows in place (htmx) and the address follows, for the back button and sharing.
    page.get_by_role("combobox", name="Statut").select_option("to_fix")
    page.wait_for_function("() => document.querySelector('[data-testid=row-count]').innerText === '3 lignes'")
    assert "status=to_fix" in page.url
    page.get_by_role("combobox", name="Statut").select_option("")
    page.wait_for_function("() => document.querySelector('[data-testid=row-count]').innerText === '30 lignes'")
    # Sort by bonus, smallest first, then the second page.
    page.get_by_role("columnheader", name="Bonus demandé").get_by_role("link").click()  # descending
    page.wait_for_url("**sort=bonus**")
    page.get_by_role("columnheader", name="Bonus demandé").get_by_role("link").click()  # ascending
    page.wait_for_url("**dir=asc**")
    page.get_by_label("Lignes par page").select_option("25")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=explorer-row]').length === 25")
    first = page.get_by_test_id("explorer-row").first
    assert "20,00 €" in first.inner_text()
    page.get_by_test_id("next-page").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=explorer-row]').length === 5")
    assert "45,00 €" in page.get_by_test_id("explorer-row").first.inner_text()
    _no_sideways_scroll(page)
    shot(page, "explorer-claims")
    # The CSV holds every row of the view, in the order shown.
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert len(rows) == 31 and rows[1][rows[0].index("Bonus demandé")] == "20,00"
    # Saved and shared, it is in the list for the next visit.
    page.get_by_label("Nom de la vue").fill("Bonus croissants")
    page.get_by_label("Partager avec la boutique").check()
    page.get_by_role("button", name="Enregistrer la vue").click()
    page.wait_for_url("**view=**")
    assert page.get_by_text("Vue « Bonus croissants » enregistrée.").is_visible()
    assert page.get_by_test_id("saved-views").get_by_role("link", name="Bonus croissants").is_visible()
    assert "dir=asc" in page.url and "sort=bonus" in page.url


def test_the_returns_view_on_the_tablet(page, live_server, history):
    login(page, live_server, history.emails["owner"])
    page.goto(live_server + "/explorateur/")
    page.get_by_test_id("built-in-views").get_by_role("link", name="Retours sous 3 mois (référentiel § 6.1.5)").click()
    page.wait_for_url("**dataset=returns")
    assert page.get_by_test_id("row-count").inner_text() == "1 ligne"
    row = page.get_by_test_id("explorer-row").first
    assert "30" in row.inner_text()  # handed back 30 days before it came back
    _no_sideways_scroll(page)
    shot(page, "explorer-returns")


def test_a_return_set_aside_on_its_page_shows_in_the_set_aside_view_with_its_reason(page, live_server, history, app):
    from qualirepar.repairs.models import RepairOrder

    with app.app_context(), as_shop(history.id):
        back = db.session.execute(db.select(RepairOrder).where(RepairOrder.warranty_of_id.is_not(None))).scalar_one()
        back_id, back_number, first_number = back.id, back.number, back.warranty_of.number
    login(page, live_server, history.emails["owner"])
    page.goto(f"{live_server}/dossiers/{back_id}")
    page.get_by_text("Ce n'est pas un retour sous garantie").click()
    page.get_by_label("Pourquoi ce dossier n'est-il pas un retour sous garantie ?").fill("Chute de l'appareil, sans lien avec la réparation")
    page.get_by_role("button", name="Retirer le lien").click()
    page.wait_for_url(f"**/dossiers/{back_id}")
    assert f"Lien de garantie avec le dossier {first_number} retiré" in page.get_by_test_id("warranty-set-aside").inner_text()

    page.goto(live_server + "/explorateur/?dataset=returns")
    assert page.get_by_test_id("row-count").inner_text() == "Aucune ligne"
    page.get_by_test_id("built-in-views").get_by_role("link", name="Retours écartés (lien de garantie retiré)").click()
    page.wait_for_url("**set_aside=1**")
    assert page.get_by_test_id("row-count").inner_text() == "1 ligne"
    row = page.get_by_test_id("explorer-row").first.inner_text()
    assert back_number in row and first_number in row and "Chute de l'appareil" in row
    page.get_by_label("Retours écartés seulement (lien de garantie retiré, avec le motif)").uncheck()  # htmx refreshes the rows
    page.wait_for_function("() => !location.search.includes('set_aside=1')")
    assert page.get_by_test_id("row-count").inner_text() == "Aucune ligne"
    _no_sideways_scroll(page)
