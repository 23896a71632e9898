"""The explorer: filters, columns, sort and pages on four datasets, the built-in views (returns within
3 months on both sides of the boundary, claims to fix, unpaid by age), views saved and shared,
and exports in CSV and XLSX that hold every row of the view."""
import csv
import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest

from qualirepar.billing.models import Invoice
from qualirepar.claims.models import Claim, ClaimPayment
from qualirepar.explorer.models import SavedView
from qualirepar.extensions import db
from qualirepar.repairs import services
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..repairs.helpers import repair_and_hand_back
from qualirepar.core.clock import paris_today

D = dt.date
PARIS = dt.timezone(dt.timedelta(hours=1))
_numbers = itertools.count(1)


def _intake(**overrides) -> RepairOrder:
    n = next(_numbers)
    data = dict(last_name=f"Client{n}", first_name="Léa", street="1 rue de la Paix", postcode="69003", city="Lyon",
                phone="06 12 34 56 78", email=f"c{n}@exemple.fr", service_requested="Réparation", fault_description="Ne chauffe plus",
                serial_number=f"SN-{n:06d}AB", brand_name="SEB")
    data.update(overrides)
    return services.create_intake(services.IntakeData(**data))


_hand_back = repair_and_hand_back  # browser tests import it under this name


def _claim(order: RepairOrder, issued_on: dt.date, organism: str = "ecosystem", status: str = "submitted",
           bonus: str = "25.00", paid: str | None = None, error: str | None = None) -> Claim:
    n = next(_numbers)
    amount = Decimal(bonus)
    invoice = Invoice(number=f"F-{n:05d}", order_id=order.id, issue_key=f"key-{n}", issued_on=issued_on, seller={}, buyer={},
                      appliance={}, vat_breakdown=[], total_ht=Decimal("100.00"), total_vat=Decimal("20.00"), total_ttc=Decimal("120.00"),
                      bonus_amount=amount, bonus_organism=organism, amount_due=Decimal("120.00") - amount)
    db.session.add(invoice)
    db.session.flush()
    claim = Claim(order_id=order.id, invoice_id=invoice.id, organism=organism, status=status, bonus_amount=amount,
                  last_error=error, amount_paid=Decimal(paid) if paid else None, paid_on=issued_on + dt.timedelta(days=30) if paid else None)
    db.session.add(claim)
    db.session.commit()
    return claim


def _rows(html: str) -> int:
    return html.count('data-testid="explorer-row"')


def test_the_returns_view_lists_the_returns_on_each_side_of_the_3_month_boundary(app, shop, as_role):
    with app.test_request_context(), as_shop(shop.id):
        covered = _intake(serial_number="WM-BOUNDARY-1", intake_on=D(2026, 11, 2))
        _hand_back(covered, dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS))
        outside = _intake(serial_number="WM-BOUNDARY-2", intake_on=D(2026, 11, 2))
        _hand_back(outside, dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS))
        last_day = _intake(serial_number="wm boundary 1", intake_on=D(2027, 2, 28))  # 30 Nov + 3 months: 28 Feb, covered
        day_after = _intake(serial_number="WM-BOUNDARY-2", intake_on=D(2027, 3, 1))  # the day after: a new repair
        unrelated = _intake(intake_on=D(2027, 1, 10))
        numbers = {o: o.number for o in (covered, outside, last_day, day_after, unrelated)}
    client = as_role("support")
    html = client.get("/explorateur/?dataset=returns").get_data(as_text=True)
    assert _rows(html) == 1
    assert numbers[last_day] in html and numbers[covered] in html
    assert numbers[day_after] not in html and numbers[unrelated] not in html
    assert "<td class=\"text-end text-nowrap\">90</td>" in html  # 30 November to 28 February
    # The built-in view is the same query; the orders dataset can show warranty returns only.
    html = client.get("/explorateur/?dataset=orders&returns_only=1&cols=number&cols=return_of").get_data(as_text=True)
    assert _rows(html) == 1 and numbers[last_day] in html and numbers[covered] in html
    # The period filters on the return's intake date.
    assert _rows(client.get("/explorateur/?dataset=returns&from=2027-03-01").get_data(as_text=True)) == 0
    assert _rows(client.get("/explorateur/?dataset=returns&from=28/02/2027&to=28/02/2027").get_data(as_text=True)) == 1


def test_a_return_set_aside_leaves_the_returns_view_for_the_set_aside_one_with_its_reason(app, shop, as_role):
    with app.test_request_context(), as_shop(shop.id):
        first = _intake(serial_number="WM-ASIDE-1", intake_on=D(2026, 11, 2))
        _hand_back(first, dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS))
        back = _intake(serial_number="WM-ASIDE-1", intake_on=D(2027, 1, 5))
        kept = _intake(serial_number="WM-ASIDE-2", intake_on=D(2026, 11, 3))
        _hand_back(kept, dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS))
        still = _intake(serial_number="WM-ASIDE-2", intake_on=D(2027, 1, 6))
        assert back.warranty_of_id == first.id and still.warranty_of_id == kept.id
        services.unlink_return(back, "Chute de l'appareil, sans lien avec la réparation")
        assert back.warranty_unlinked_from_id == first.id
        numbers = {o: o.number for o in (first, back, kept, still)}
    client = as_role("owner")
    html = client.get("/explorateur/?dataset=returns").get_data(as_text=True)
    assert _rows(html) == 1 and numbers[still] in html and numbers[back] not in html
    html = client.get("/explorateur/?dataset=returns&set_aside=1&cols=original&cols=number&cols=days&cols=set_aside_reason").get_data(as_text=True)
    assert _rows(html) == 1 and numbers[first] in html and numbers[back] in html and numbers[still] not in html
    assert "Chute de l&#39;appareil, sans lien avec la réparation" in html
    assert "<td class=\"text-end text-nowrap\">36</td>" in html  # 30 November to 5 January
    assert 'id="set_aside"' in html and "Retours écartés (lien de garantie retiré)" in html  # the switch and the built-in view
    export = client.get("/explorateur/export.csv?dataset=returns&set_aside=1")
    assert 'filename="returns-ecartes-' in export.headers["Content-Disposition"] and numbers[back] in export.get_data(as_text=True)
    # the orders dataset ignores the parameter: it has no such filter
    assert _rows(client.get("/explorateur/?dataset=orders&set_aside=1").get_data(as_text=True)) == 4


@pytest.fixture
def claims(app, shop):
    """60 claims over 60 days: a third Ecologic, 5 refused, 10 paid, the rest waiting at the organism."""
    with app.test_request_context(), as_shop(shop.id):
        for n in range(60):
            order = _intake(brand_name="Bosch" if n % 2 else "SEB", intake_on=D(2026, 9, 1) + dt.timedelta(days=n))
            status = "rejected" if n < 5 else "paid" if n < 15 else "accepted" if n < 30 else "submitted"
            _claim(order, D(2026, 9, 1) + dt.timedelta(days=n), organism="ecologic" if n % 3 == 0 else "ecosystem", status=status,
                   bonus=f"{15 + n}.00", paid=f"{15 + n}.00" if status == "paid" else None,
                   error="07 : Numéro de série absent" if status == "rejected" else None)
    return shop


def test_filters_sort_and_pages(claims, as_role):
    client = as_role("support")
    html = client.get("/explorateur/?dataset=claims&per_page=25").get_data(as_text=True)
    assert "60 lignes" in html and _rows(html) == 25 and "page 1 sur 3" in html
    last = client.get("/explorateur/?dataset=claims&per_page=25&page=3").get_data(as_text=True)
    assert _rows(last) == 10
    assert _rows(client.get("/explorateur/?dataset=claims&per_page=25&page=99").get_data(as_text=True)) == 10  # past the end: the last page
    # Newest invoice first by default; sorted by bonus ascending, the smallest first.
    assert html.index("74,00") < html.index("73,00")
    by_bonus = client.get("/explorateur/?dataset=claims&sort=bonus&dir=asc&cols=invoice&cols=bonus").get_data(as_text=True)
    assert by_bonus.index(">15,00 €") < by_bonus.index(">16,00 €") and 'aria-sort="ascending"' in by_bonus
    assert by_bonus.count('<th scope="col"') == 2  # only the chosen columns
    assert _rows(client.get("/explorateur/?dataset=claims&organism=ecologic&per_page=100").get_data(as_text=True)) == 20
    assert _rows(client.get("/explorateur/?dataset=claims&status=to_fix").get_data(as_text=True)) == 5
    assert _rows(client.get("/explorateur/?dataset=claims&status=unpaid&per_page=100").get_data(as_text=True)) == 45
    assert _rows(client.get("/explorateur/?dataset=claims&amount_min=20&amount_max=29,50").get_data(as_text=True)) == 10
    assert _rows(client.get("/explorateur/?dataset=claims&brand=bos&per_page=100").get_data(as_text=True)) == 30
    assert _rows(client.get("/explorateur/?dataset=claims&from=2026-09-01&to=2026-09-10").get_data(as_text=True)) == 10
    # Orders dataset: filtered by the organism of their claim, and by intake date.
    assert _rows(client.get("/explorateur/?dataset=orders&organism=ecologic&per_page=100").get_data(as_text=True)) == 20


@pytest.mark.parametrize("view", [
    "dataset=orders&per_page=25&page=2",
    "dataset=orders&per_page=25&page=3&sort=customer&dir=asc",
    "dataset=orders&sort=total_ttc&dir=desc&brand=bosch&cols=number&cols=customer&cols=claim_status&cols=bonus",
    "dataset=claims&per_page=25&page=2&cols=invoice&cols=customer&cols=technician&cols=product",
])
def test_a_page_picked_by_ids_first_shows_the_same_rows(app, claims, as_role, monkeypatch, view):
    """Over LATE_JOIN_ROWS rows, a page picks its ids before joining the other columns: same rows,
    same order, whatever the sort and the page."""
    from sqlalchemy import event

    from qualirepar.explorer import query

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)  # each request renders the page
    client = as_role("owner")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def rows(threshold: int) -> tuple[list[str], int]:
        monkeypatch.setattr(query, "LATE_JOIN_ROWS", threshold)
        statements.clear()
        html = client.get(f"/explorateur/?{view}").get_data(as_text=True)
        return [line for line in html.splitlines() if "<td" in line], len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        (at_once, n_at_once), (ids_first, n_ids_first) = rows(10 ** 9), rows(10)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert at_once and ids_first == at_once
    assert n_ids_first == n_at_once + 1  # the ids, then their columns


def test_bad_filters_are_explained_in_french_and_nothing_is_listed(claims, as_role):
    client = as_role("owner")
    html = client.get("/explorateur/?dataset=claims&from=31/02/2026&amount_min=douze").get_data(as_text=True)
    assert "Du : « 31/02/2026 » n&#39;est pas une date (JJ/MM/AAAA)." in html
    assert "Montant minimum : « douze » n&#39;est pas un montant en euros." in html and _rows(html) == 0
    html = client.get("/explorateur/?dataset=claims&from=2026-10-01&to=2026-09-01").get_data(as_text=True)
    assert "La période commence le 01/10/2026, après sa fin le 01/09/2026." in html
    html = client.get("/explorateur/?dataset=claims&status=bidon").get_data(as_text=True)
    assert "Statut inconnu pour ce tableau" in html
    html = client.get("/explorateur/?dataset=claims&cols=invoice&cols=password_hash&sort=nope").get_data(as_text=True)
    assert "Colonnes inconnues ignorées : password_hash." in html and "Tri inconnu" in html and _rows(html) == 50
    assert client.get("/explorateur/?dataset=users").status_code == 404
    resp = client.get("/explorateur/export.csv?dataset=claims&from=hier")
    assert resp.status_code == 303


def test_exports_hold_every_row_of_the_view_in_french_formats(claims, as_role):
    from openpyxl import load_workbook

    client = as_role("support")
    resp = client.get("/explorateur/export.csv?dataset=claims&sort=bonus&dir=asc&cols=invoice&cols=invoice_date&cols=bonus&cols=status&cols=age",
                      buffered=False)
    assert resp.is_streamed and resp.headers["Content-Disposition"].startswith('attachment; filename="claims-')
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Facture", "Facturée le", "Bonus demandé", "Statut", "Jours depuis la facture"]
    assert len(rows) == 61  # every row, not one page
    assert rows[1][1] == "01/09/2026" and rows[1][2] == "15,00" and rows[1][3] == "refusée"
    assert int(rows[1][4]) == (paris_today() - D(2026, 9, 1)).days

    resp = client.get("/explorateur/export.xlsx?dataset=claims&status=unpaid&cols=invoice&cols=invoice_date&cols=bonus&cols=organism")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Facture", "Facturée le", "Bonus demandé", "Organisme") and len(values) == 46
    invoice, day, bonus, organism = values[1]
    assert isinstance(day, dt.datetime) and isinstance(bonus, (int, float)) and organism in ("ecosystem", "Ecologic")
    assert sheet.cell(row=2, column=3).number_format == '#,##0.00 "€"'


def test_another_shops_rows_never_show(app, claims, as_role):
    other = factories.make_shop(app)
    with app.test_request_context(), as_shop(other):
        order = _intake(brand_name="Autreshop")
        _claim(order, D(2026, 10, 1), bonus="99.00")
        db.session.add(ClaimPayment(organism="ecosystem", reference="VIR-OTHER", paid_on=D(2026, 10, 5), amount=Decimal("99.00"), source="x"))
        db.session.commit()
    client = as_role("owner")
    for dataset in ("orders", "claims", "payments", "returns"):
        html = client.get(f"/explorateur/?dataset={dataset}&per_page=100").get_data(as_text=True)
        assert "99,00" not in html and "AUTRESHOP" not in html.upper() and "VIR-OTHER" not in html
    assert "99,00" not in client.get("/explorateur/export.csv?dataset=claims").get_data(as_text=True)


def test_payments_dataset_shows_matched_and_unmatched(app, claims, as_role):
    with app.test_request_context(), as_shop(claims.id):
        claim = db.session.execute(db.select(Claim).where(Claim.status == "paid")).scalars().first()
        db.session.add_all([ClaimPayment(claim_id=claim.id, organism=claim.organism, reference="VIR-1", paid_on=D(2026, 10, 20),
                                         amount=claim.bonus_amount - Decimal("5"), source="releve.csv"),
                            ClaimPayment(organism="ecologic", reference="VIR-2", paid_on=D(2026, 10, 21), invoice_number="F-INCONNUE",
                                         amount=Decimal("30.00"), source="releve.csv")])
        db.session.commit()
    client = as_role("support")
    html = client.get("/explorateur/?dataset=payments&cols=reference&cols=matched&cols=gap").get_data(as_text=True)
    assert _rows(html) == 2 and ">5,00 €" in html
    unmatched = client.get("/explorateur/?dataset=payments&status=unmatched").get_data(as_text=True)
    assert _rows(unmatched) == 1 and "F-INCONNUE" in unmatched


def test_views_are_saved_for_oneself_or_shared_with_the_shop(app, claims):
    client = factories.login_client(app, claims.emails["support"])
    form = {"csrf_token": "", "name": "Ecologic refusées", "q_dataset": "claims", "q_organism": "ecologic", "q_status": "to_fix",
            "q_cols": ["invoice", "bonus"]}
    resp = client.post("/explorateur/vues", data=form)
    assert resp.status_code == 303 and "view=" in resp.location
    with app.app_context():
        view = db.session.execute(db.select(SavedView).where(SavedView.name == "Ecologic refusées")).scalar_one()
        assert view.params == {"dataset": "claims", "organism": "ecologic", "status": "to_fix", "cols": ["invoice", "bonus"]}
        assert not view.shared
    html = client.get(resp.location).get_data(as_text=True)
    assert "Ecologic refusées" in html and _rows(html) == 2  # ids 0 and 3 of the five refused are Ecologic
    assert "Vous avez déjà une vue nommée" in client.post("/explorateur/vues", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Donnez un nom" in client.post("/explorateur/vues", data={**form, "name": "  "}, follow_redirects=True).get_data(as_text=True)
    bad = client.post("/explorateur/vues", data={**form, "name": "X", "q_from": "demain"}, follow_redirects=True).get_data(as_text=True)
    assert "corrigez d&#39;abord les filtres" in bad

    # A private view is the author's only; a shared one is the whole shop's, and only its author or the owner deletes it.
    owner = factories.login_client(app, claims.emails["owner"])
    assert "Ecologic refusées" not in owner.get("/explorateur/").get_data(as_text=True)
    client.post("/explorateur/vues", data={**form, "name": "Pour tous", "shared": "1"})
    with app.app_context():
        shared = db.session.execute(db.select(SavedView).where(SavedView.name == "Pour tous")).scalar_one()
    assert "Pour tous" in owner.get("/explorateur/").get_data(as_text=True)
    other_support = factories.make_user(app, claims.id, "support")
    colleague = factories.login_client(app, other_support.email)
    html = colleague.post(f"/explorateur/vues/{shared.id}/supprimer", follow_redirects=True).get_data(as_text=True)
    assert "Seul son auteur ou le gérant" in html
    assert colleague.post(f"/explorateur/vues/{view.id}/supprimer").status_code == 404  # private: not even seen
    assert "Vue « Pour tous » supprimée." in owner.post(f"/explorateur/vues/{shared.id}/supprimer", follow_redirects=True).get_data(as_text=True)


def test_the_built_in_views_answer(claims, as_role):
    client = as_role("owner")
    html = client.get("/explorateur/").get_data(as_text=True)
    assert 'data-testid="built-in-views"' in html
    to_fix = client.get("/explorateur/?dataset=claims&status=to_fix&sort=invoice_date&dir=asc&cols=invoice&cols=reason").get_data(as_text=True)
    assert _rows(to_fix) == 5 and "07 : Numéro de série absent" in to_fix
    unpaid = client.get("/explorateur/?dataset=claims&status=unpaid&sort=age&dir=desc&cols=invoice&cols=invoice_date&cols=age").get_data(as_text=True)
    # The oldest unpaid first: the accepted ones start on day 15 (the paid and refused ones are left out).
    assert unpaid.index("16/09/2026") < unpaid.index("17/09/2026") and "01/09/2026" not in unpaid


def test_technicians_do_not_see_the_explorer(shop, as_role):
    client = as_role("technician")
    assert client.get("/explorateur/").status_code == 403
    assert client.get("/explorateur/export.csv").status_code == 403
