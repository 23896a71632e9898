"""The PA sandbox served on loopback (real HTTP), the app pointed at it, and a business order."""
from __future__ import annotations

import inspect
import threading
import uuid

import pytest
import requests

from qualirepar.billing import invoices, quotes
from qualirepar.einvoice import settings as einvoice_settings
from qualirepar.einvoice.pa_sandbox import create_pa_sandbox_app, serve
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import STANDARD, quote_with, washing_machine_order

BUSINESS = dict(customer_kind="business", company="Laverie du Port SARL", siren="732829320", po_reference="BC-117")


# Invoicing before the repair is marked done asks for a reason (issue 19's counter rules), where that rule is in.
_REASON = {"reason": "Pièce et main-d'œuvre facturées au comptoir"} if "reason" in inspect.signature(
    invoices.issue_invoice).parameters else {}


class PASandbox:
    def __init__(self, app, url):
        self.app, self.url = app, url

    def operator(self, path: str, **body) -> dict:
        resp = requests.post(f"{self.url}/_sandbox/{path}", json=body, timeout=5)
        assert resp.status_code == 200, resp.text
        return resp.json()

    @property
    def flows(self) -> dict:
        return self.app.extensions["pa_store"].flows


@pytest.fixture(scope="session")
def _pa_server():
    sandbox_app = create_pa_sandbox_app()
    server = serve(sandbox_app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield PASandbox(sandbox_app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


@pytest.fixture
def pa_sandbox(app, _pa_server):
    """The PA sandbox, empty, and the app's sandbox provider pointed at it."""
    _pa_server.operator("reset")
    before = app.config.get("PA_SANDBOX_URL")
    app.config["PA_SANDBOX_URL"] = _pa_server.url
    yield _pa_server
    app.config["PA_SANDBOX_URL"] = before


def use_provider(app, shop_id: int, provider: str, **fields) -> None:
    with app.test_request_context(), as_shop(shop_id):
        values = {"option_debits": False, "vat_regime": "reel_mensuel", "pa_provider": provider, **fields}
        einvoice_settings.save(shop_id, **values)
        db.session.commit()


def issued_invoice(app, shop_id: int, business: bool = True, lines=STANDARD) -> int:
    """An accepted quote's invoice for a business customer (or a private one); its id."""
    order_id = washing_machine_order(app, shop_id, **(BUSINESS if business else {}))
    with app.test_request_context(), as_shop(shop_id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *lines)
        quotes.validate(quote, None)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
        return invoices.issue_invoice(order, quote, str(uuid.uuid4()), None, **_REASON).id
