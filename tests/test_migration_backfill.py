"""Data recorded before the two revisions of 30/11/2026 is carried over by them: returns set aside
get back the repair they were linked to, and replaced documents their earlier files, both read from
the audit log. The test records them with today's code, goes down below both revisions (which drops
what they added) and up again, and finds the same rows."""
import datetime as dt
import io

from flask_login import login_user
from flask_migrate import downgrade, upgrade
from werkzeug.datastructures import FileStorage

from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import RepairOrder
from qualirepar.resources import services as documents
from qualirepar.resources.models import ShopDocument, ShopDocumentVersion
from qualirepar.shops.models import User
from qualirepar.tenancy import as_shop

from .repairs.helpers import intake as _intake
from .repairs.helpers import repair_and_hand_back as _repair_and_hand_back
from .repairs.test_returns import PARIS_NOON
from .resources.test_resources import PDF

D = dt.date
BEFORE_BOTH = "54b7e33a5e51"  # the revision under warranty_unlinked_from_id and shop_document_version


def _pdf(n: int) -> FileStorage:
    return FileStorage(io.BytesIO(PDF.replace(b"Catalog", b"Catalog /V%d" % n)), f"v{n}.pdf")


def _snapshot(shop_id: int) -> dict:
    with as_shop(shop_id):
        orders = {o.id: o.warranty_unlinked_from_id for o in db.session.execute(db.select(RepairOrder)).scalars()}
        versions = [(v.document_id, v.file_id, v.valid_from, v.expires_on, v.replaced_by_id)
                    for v in db.session.execute(db.select(ShopDocumentVersion).order_by(ShopDocumentVersion.id)).scalars()]
    return {"orders": orders, "versions": versions}


def test_going_down_and_up_again_finds_the_same_set_aside_returns_and_document_versions(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        login_user(db.session.get(User, shop.users["support"].id))
        first = _intake(intake_on=D(2026, 9, 1))
        _repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, tzinfo=PARIS_NOON))
        set_aside = _intake(intake_on=D(2026, 10, 1))
        still = _intake(intake_on=D(2026, 10, 2))  # a second return of the same appliance, left linked
        repairs.unlink_return(set_aside, "Autre panne, sans rapport avec la réparation de septembre")
        doc, _ = documents.create(title="Attestation d'assurance", category="insurance", upload=_pdf(1),
                                  valid_from=D(2025, 1, 1), expires_on=D(2025, 12, 31))
        documents.replace_file(doc, _pdf(2), D(2026, 1, 1), D(2026, 12, 31))
        documents.replace_file(doc, _pdf(3), D(2026, 1, 1), D(2027, 12, 31))  # the start date unchanged
        doc_id, support_id = doc.id, shop.users["support"].id
        ids = (first.id, set_aside.id, still.id)
    with app.app_context():
        recorded = _snapshot(shop.id)
    assert recorded["orders"][ids[1]] == ids[0] and recorded["orders"][ids[2]] is None
    assert [(v[2], v[3], v[4]) for v in recorded["versions"]] == [(D(2025, 1, 1), D(2025, 12, 31), support_id),
                                                                   (D(2026, 1, 1), D(2026, 12, 31), support_id)]

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(revision=BEFORE_BOTH)
        upgrade()
        assert _snapshot(shop.id) == recorded
        with as_shop(shop.id):  # and the app reads them as before
            assert len(db.session.get(ShopDocument, doc_id).versions) == 2
