"""In the back office, in Chromium: the invoice issued, its claim sent by the worker without anyone
typing anything, accepted and paid on the sandbox's operator page (the organism's side), the
status followed, the payment statement imported and the claim reconciled; and a refused claim
corrected, its invoice replaced, and sent again."""
import pytest

from qualirepar.billing import quotes
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order
from ..checklists.helpers import fill
from ..claims.test_submission import LYON
from .conftest import DESKTOP, shot
from .helpers import login, run_worker

pytestmark = pytest.mark.browser
DESK = pytest.mark.parametrize("page", [("desktop", DESKTOP)], indirect=True, ids=["desktop"])
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _validated_quote(app, shop) -> int:
    site = factories.make_site(app, shop.id, ecologic_site_id=LYON[2])
    order_id = washing_machine_order(app, shop.id, site_id=site, symptom_code="111", email="lea@exemple.fr")
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")  # the nameplate photo, taken at check-in
        quote = quote_with(order, *STANDARD)
        quotes.set_repair_code(quote, "G12")
        ready_to_invoice(order, quote)  # accepted, repair marked done
        return quote.id


def _claim(app, shop) -> Claim:
    with app.app_context(), as_shop(shop.id):
        claim = db.session.execute(db.select(Claim)).scalar_one()
        db.session.expunge(claim)
        return claim


def _status(page) -> str:
    return page.get_by_test_id("claim-status").inner_text()


def _issue_and_send(page, app, shop, live_server):
    quote_id = _validated_quote(app, shop)
    login(page, live_server, shop.emails["support"])
    page.goto(f"{live_server}/devis/{quote_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Émettre la facture").click()
    assert "en file d'envoi" in _status(page)
    run_worker(app)  # the claim leaves by itself
    with page.expect_navigation():
        page.get_by_role("link", name="voir la demande").click()
    assert _status(page) == "envoyée, en cours d'examen"
    return _claim(app, shop)


def _operator(page, sandbox, claim, button: str, reason: str | None = None):
    page.goto(f"{sandbox.url}/_sandbox/")
    row = page.locator("tr", has_text=claim.external_id).filter(has_text="ecologic")
    if reason:
        row.get_by_label(f"motif {claim.external_id}").select_option(reason)
    with page.expect_navigation():
        row.get_by_role("button", name=button).click()


@DESK
def test_invoice_to_claim_accepted_paid_and_reconciled(page, live_server, shop, app, sandbox_accounts, sandbox, tmp_path):
    claim = _issue_and_send(page, app, shop, live_server)
    claim_url = page.url

    _operator(page, sandbox, claim, "Accepter")  # the organism's side
    page.goto(claim_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Actualiser le statut").click()
    assert _status(page) == "acceptée, paiement attendu"

    page.goto(f"{sandbox.url}/_sandbox/")  # the organism pays, and publishes the statement
    page.get_by_label(f"payer {claim.external_id}").check()
    page.get_by_label("Référence du virement").fill("VIR-NAV-001")
    with page.expect_navigation():
        page.get_by_role("button", name="Payer la sélection (un organisme par lot)").click()
    statement = tmp_path / "releve.csv"
    statement.write_bytes(page.request.get(f"{sandbox.url}/_sandbox/payments/VIR-NAV-001.csv").body())  # the portal's download

    page.goto(f"{live_server}/demandes/paiements")
    page.get_by_label("Fichier du relevé (CSV)").set_input_files(str(statement))
    with page.expect_navigation():
        page.get_by_role("button", name="Importer").click()
    assert "1 ligne(s) rapprochée(s)" in page.locator(".alert-success").inner_text()
    row = page.get_by_test_id("control-row")
    assert row.count() == 1 and "payée" in row.inner_text()
    shot(page, "claims-reconciled")
    page.goto(claim_url)
    assert _status(page) == "payée" and "VIR-NAV-001" in page.get_by_test_id("claim-payments").inner_text()


@DESK
def test_a_refused_claim_is_fixed_and_sent_again(page, live_server, shop, app, sandbox_accounts, sandbox, tmp_path):
    claim = _issue_and_send(page, app, shop, live_server)
    claim_url = page.url
    _operator(page, sandbox, claim, "Rejeter", "07 : Impossible de lire la facture")
    page.goto(claim_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Actualiser le statut").click()
    assert _status(page) == "refusée"
    bench = page.get_by_test_id("workbench")
    assert "La facture est illisible" in bench.inner_text()

    page.get_by_label("Numéro de série / IMEI").fill("WM-778899-B")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les corrections").click()
    assert "WM-778899-B" in page.locator(".alert").first.inner_text(), page.locator(".alert").all_inner_texts()
    scan = tmp_path / "facture-nette.pdf"
    scan.write_bytes(PDF)
    form = page.get_by_test_id("replace-invoice")
    form.locator("input[type=file]").set_input_files(str(scan))
    with page.expect_navigation():
        form.get_by_role("button", name="Joindre").click()
    with page.expect_navigation():
        page.get_by_test_id("resubmit").click()
    assert "transmises à l'organisme" in page.locator(".alert").first.inner_text(), page.locator(".alert").all_inner_texts()
    run_worker(app)
    page.reload()
    assert _status(page) == "envoyée, en cours d'examen"
    events = page.get_by_test_id("claim-events").inner_text()
    assert "Impossible de lire la facture" in events and "Corrections transmises" in events  # the history stays
    shot(page, "claim-resubmitted")
    page.goto(f"{sandbox.url}/_sandbox/")
    row = page.locator("tr", has_text=claim.external_id).filter(has_text="ecologic")
    assert row.count() == 1 and "En attente de validation administrateur" in row.inner_text()
