"""The eco sandbox served on loopback (real HTTP), and clients of both organisms pointed at it."""
from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from PIL import Image

from qualirepar.eco.ecologic import EcologicClient
from qualirepar.eco.ecosystem import EcosystemClient
from qualirepar.eco.http import RetryPolicy, Transport
from qualirepar.eco.sandbox import create_sandbox_app, serve
from qualirepar.eco.sandbox.seed import DEMO, OTHER
from qualirepar.eco.sandbox.store import Claim, File, Payment, Token
from qualirepar.eco.types import Attachment, ClaimPayload, Customer
from qualirepar.core.clock import paris_today

REPAIR_DAY = paris_today() - dt.timedelta(days=10)


class Sandbox:
    def __init__(self, app, url):
        self.app, self.url = app, url

    @property
    def faults(self):
        return self.app.extensions["faults"]

    def operator(self, client, path, **json):
        resp = client.post(f"{self.url}/_sandbox/{path}", json=json)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def reset(self):
        self.faults.reset()
        self.app.config["AUTO_ADVANCE_SECONDS"] = 0
        session = self.app.extensions["sandbox_db"]
        for model in (File, Claim, Payment, Token):
            session.query(model).delete()
        session.commit()
        session.remove()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    db = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    app = create_sandbox_app(f"sqlite:///{db}", AUTO_ADVANCE_SECONDS=0)
    server = serve(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Sandbox(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


@pytest.fixture(autouse=True)
def _fresh_sandbox(request):
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset()
    yield


class Recorder(list):
    def __call__(self, exchange):
        self.append(exchange)


@pytest.fixture
def exchanges():
    return Recorder()


def _transport(sandbox, organism, path, exchanges):
    return Transport(organism, sandbox.url + path, connect_timeout=2, read_timeout=1.5,
                     retry=RetryPolicy(attempts=3, backoff=0.01, max_backoff=1.0), recorder=exchanges)


@pytest.fixture
def ecosystem(sandbox, exchanges):
    return EcosystemClient(_transport(sandbox, "ecosystem", "/ecosystem", exchanges), DEMO["username"], DEMO["password"])


@pytest.fixture
def ecologic(sandbox, exchanges):
    return EcologicClient(_transport(sandbox, "ecologic", "/ecologic/api/v1/ecosupport/", exchanges), DEMO["api_key"])


def customer(**overrides) -> Customer:
    values = dict(title="Mme", last_name="Martin", first_name="Léa", email="lea.martin@exemple.fr", phone="06 12 34 56 78",
                  street="1 rue de la Paix", postcode="69003", city="Lyon")
    values.update(overrides)
    return Customer(**values)


def ecosystem_claim(**overrides) -> ClaimPayload:
    """A phone (ProductID 3042) of SAMSUNG (1001): 25 € bonus on a 119 € repair, in the demo repairer's workshop."""
    values = dict(reference="F-2026-0001", repair_date=REPAIR_DAY, repairer_id=DEMO["repairer_id"], site_id="2000011",
                  product_id="3042", brand_id="1001", serial_number="356938035643809", customer=customer(),
                  total_incl_vat=Decimal("119.00"), bonus=Decimal("25.00"), repair_code="R06",
                  spare_parts_cost=Decimal("60.00"), new_parts=1)
    values.update(overrides)
    return ClaimPayload(**values)


def ecologic_claim(**overrides) -> ClaimPayload:
    """A phone (EEE.M6.060) of Apple (1698, an Ecologic brand), repair code CAM, symptom 111."""
    values = dict(reference="F-2026-0101", repair_date=REPAIR_DAY, repairer_id=None, site_id=DEMO["sites"][0][2],
                  product_id="EEE.M6.060", brand_id="1698", serial_number="353918050000001", customer=customer(),
                  total_incl_vat=Decimal("119.00"), bonus=Decimal("25.00"), repair_code="CAM", symptom_code="111",
                  labor_cost=Decimal("40.00"), spare_parts_cost=Decimal("50.00"), total_excl_vat=Decimal("99.17"))
    values.update(overrides)
    return ClaimPayload(**values)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "gray").save(buf, fmt)
    return buf.getvalue()


def attachments() -> list[Attachment]:
    return [Attachment("invoice", "facture-F-2026-0001.pdf", "application/pdf", pdf_bytes()),
            Attachment("nameplate", "plaque.png", "image/png", image_bytes("PNG")),
            Attachment("device_photo", "appareil.jpg", "image/jpeg", image_bytes("JPEG"))]


OTHER_SITE = OTHER["sites"][0]


@pytest.fixture
def sandbox_accounts(app, shop, sandbox, monkeypatch):
    """The shop's two accounts, pointing at the sandbox (the app's clients talk to it over HTTP)."""
    from qualirepar.eco.models import EcoAccount
    from qualirepar.eco.sandbox.seed import DEMO
    from qualirepar.extensions import db
    from qualirepar.tenancy import as_shop

    monkeypatch.setitem(app.config, "ECO_SANDBOX_URL", sandbox.url)
    with app.app_context(), as_shop(shop.id):
        eco = EcoAccount(organism="ecosystem", environment="sandbox", login=DEMO["username"], repairer_id=DEMO["repairer_id"])
        eco.secret = DEMO["password"]
        ecl = EcoAccount(organism="ecologic", environment="sandbox")
        ecl.secret = DEMO["api_key"]
        db.session.add_all([eco, ecl])
        db.session.commit()
