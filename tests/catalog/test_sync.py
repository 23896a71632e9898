"""Sync with the organisms (against the sandbox over HTTP): what changed is reported, the same
data twice changes nothing, a failure half-way leaves the previous catalog intact."""
from decimal import Decimal

import pytest

from qualirepar.catalog import sync as sync_module
from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import BonusTariff, Brand, CatalogSync, ProductType
from qualirepar.core.queue import get_queue
from qualirepar.eco.models import EcoAccount
from qualirepar.eco.sandbox.seed import DEMO
from qualirepar.eco.sandbox.store import Product as SandboxProduct
from qualirepar.extensions import db
from qualirepar.shops.models import FicheMetier, RepairSite
from qualirepar.tenancy import as_shop


@pytest.fixture
def synced_shop(app, shop, sandbox, monkeypatch):
    monkeypatch.setitem(app.config, "ECO_SANDBOX_URL", sandbox.url)
    with app.app_context(), as_shop(shop.id):
        load_csv()
        eco = EcoAccount(organism="ecosystem", environment="sandbox", login=DEMO["username"])
        eco.secret = DEMO["password"]
        ecl = EcoAccount(organism="ecologic", environment="sandbox")
        ecl.secret = DEMO["api_key"]
        db.session.add_all([eco, ecl])
        db.session.commit()
    return shop


def _run(app, shop_id, organism) -> CatalogSync:
    with app.test_request_context(), as_shop(shop_id):
        sync = CatalogSync(organism=organism)
        db.session.add(sync)
        db.session.commit()
        sync_module.run_sync(sync.id)
        db.session.expire_all()
        return db.session.get(CatalogSync, sync.id)


def _snapshot(app):
    with app.app_context():
        products = db.session.execute(db.select(ProductType.name, ProductType.ecosystem_id, ProductType.valid_to)).all()
        tariffs = db.session.execute(db.select(BonusTariff.product_type_id, BonusTariff.amount, BonusTariff.valid_from)).all()
        brands = db.session.execute(db.select(Brand.name, Brand.organism, Brand.ecosystem_id)).all()
        return sorted(map(tuple, products)), sorted(map(tuple, tariffs)), sorted(map(tuple, brands))


def test_ecosystem_sync_links_and_reports(app, synced_shop):
    sync = _run(app, synced_shop.id, "ecosystem")
    assert sync.status == "done", sync.error
    assert sync.counts["marque:nouvelle"] == 20  # the sandbox's ecosystem brands
    assert sync.counts["lieu:nouveau"] == 2 and sync.counts["fiche métier:nouvelle"] == 5
    with app.app_context(), as_shop(synced_shop.id):
        phone = db.session.execute(db.select(ProductType).where(ProductType.name == "Téléphone portable")).scalar_one()
        assert phone.ecosystem_id == "3042"
        apple = db.session.execute(db.select(Brand).where(Brand.name == "Apple")).scalar_one()
        assert (apple.organism, apple.ecosystem_id is not None) == ("ecologic", True)  # isEcosystemBrand=false
        assert {s.ecosystem_place_id for s in db.session.execute(db.select(RepairSite)).scalars()} == {"2000011", "2000012"}
        assert db.session.execute(db.select(db.func.count(FicheMetier.id))).scalar_one() == 5


def test_the_same_sync_twice_changes_nothing_the_second_time(app, synced_shop):
    assert _run(app, synced_shop.id, "ecosystem").changes
    before = _snapshot(app)
    second = _run(app, synced_shop.id, "ecosystem")
    assert second.status == "done" and second.changes == []
    assert _snapshot(app) == before
    assert _run(app, synced_shop.id, "ecologic").status == "done"
    assert _run(app, synced_shop.id, "ecologic").changes == []


def test_a_changed_amount_is_reported_and_wins(app, synced_shop, sandbox):
    _run(app, synced_shop.id, "ecosystem")
    session = sandbox.app.extensions["sandbox_db"]
    washer = session.query(SandboxProduct).filter_by(name="Lave-linge").one()
    current = next(t for t in washer.tariffs if t.valid_until is None)
    current.amount = Decimal("55.00")
    session.commit()
    try:
        sync = _run(app, synced_shop.id, "ecosystem")
        assert {"kind": "montant", "action": "modifié", "label": "Lave-linge", "before": "50.00 €", "after": "55.00 €"} in sync.changes
        with app.app_context():
            amounts = db.session.execute(db.select(BonusTariff.amount).join(ProductType)
                                         .where(ProductType.name == "Lave-linge", BonusTariff.valid_to.is_(None))).scalars().all()
            assert amounts == [Decimal("55.00")]
    finally:
        current.amount = Decimal("50.00")
        session.commit()


def test_a_sync_failing_half_way_leaves_the_catalog_intact(app, synced_shop, sandbox):
    before = _snapshot(app)
    sandbox.faults.configure(queue=["malformed"], only="partners")
    sync = _run(app, synced_shop.id, "ecosystem")
    assert sync.status == "failed" and "ecosystem" in sync.error
    assert _snapshot(app) == before


def test_a_failure_while_applying_rolls_everything_back(app, synced_shop, monkeypatch):
    before = _snapshot(app)

    def broken(partners, report):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(sync_module, "apply_partners", broken)
    sync = _run(app, synced_shop.id, "ecosystem")
    assert sync.status == "failed" and sync.error == "Erreur interne : RuntimeError"
    assert _snapshot(app) == before


def test_the_owner_starts_a_sync_and_sees_its_report(app, as_role, synced_shop, runner):
    client = as_role("owner")
    resp = client.post("/catalogue/synchro/ecosystem")
    assert resp.status_code == 303
    detail = resp.headers["Location"]
    waiting = client.get(detail, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and "progress-bar" in waiting
    assert client.post("/catalogue/synchro/ecosystem").headers["Location"] == detail  # one at a time
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
    done = client.get(detail).get_data(as_text=True)
    assert "Terminé" in done and "every 1s" not in done and "SAMSUNG" in done


def test_the_daily_schedule_queues_one_sync_per_account(app, synced_shop):
    from qualirepar.catalog.tasks import sync_all_catalogs

    with app.test_request_context():
        assert sync_all_catalogs() == 2
        assert len(get_queue()) == 2


def test_an_item_whose_organism_id_changed_is_relinked_not_retired(app, synced_shop, sandbox):
    _run(app, synced_shop.id, "ecosystem")
    session = sandbox.app.extensions["sandbox_db"]
    washer = session.query(SandboxProduct).filter_by(name="Lave-linge").one()
    washer.eco_id = "9039"
    session.commit()
    try:
        sync = _run(app, synced_shop.id, "ecosystem")
        assert not [c for c in sync.changes if c["action"] == "retiré"]
        with app.app_context():
            product = db.session.execute(db.select(ProductType).where(ProductType.name == "Lave-linge")).scalar_one()
            assert (product.ecosystem_id, product.valid_to) == ("9039", None)
    finally:
        washer.eco_id = "3039"
        session.commit()


def test_only_trusted_environments_rewrite_the_shared_catalog(app, synced_shop, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOG_SYNC_ENVIRONMENTS", ("production",))
    before = _snapshot(app)
    sync = _run(app, synced_shop.id, "ecosystem")
    assert sync.status == "done"
    assert {"kind": "catalogue", "action": "non appliqué", "label": "ecosystem", "before": None, "after": "environnement sandbox"} in sync.changes
    assert _snapshot(app) == before
    assert sync.counts["lieu:nouveau"] == 2  # the shop's own data still comes in


def test_an_empty_catalog_retires_nothing(app, synced_shop, monkeypatch):
    from qualirepar.eco.ecosystem import EcosystemClient
    from qualirepar.eco.types import Catalog

    _run(app, synced_shop.id, "ecosystem")
    before = _snapshot(app)
    monkeypatch.setattr(EcosystemClient, "catalog", lambda self: Catalog("ecosystem", [], []))
    sync = _run(app, synced_shop.id, "ecosystem")
    assert sync.status == "failed" and "catalogue vide" in sync.error
    assert _snapshot(app) == before


def test_a_lost_sync_does_not_block_the_next_one(app, synced_shop):
    import datetime as dt

    from qualirepar.catalog.services import start_sync

    with app.test_request_context(), as_shop(synced_shop.id):
        stale = CatalogSync(organism="ecosystem", status="running",
                            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
        db.session.add(stale)
        db.session.commit()
        fresh = start_sync("ecosystem")
        assert fresh.id != stale.id and db.session.get(CatalogSync, stale.id).status == "failed"
